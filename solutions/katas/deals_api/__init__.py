"""The deals API (the capstone): see README.md in this folder for the seams and the rounds."""
