"""Timed drills: katas, reviews and the capstone interview on a clock, alone or as a pair.

``commands`` registers ``dojo drill`` and ``dojo pair``; ``plan`` says what a drill is made of,
``machine`` what each event means, ``loop`` where events come from, ``screen`` and ``report`` what the
learner sees, ``commits`` how the capstone's history is judged, ``review`` how notes are graded, and
``pair`` the hand-over through git between remote partners.
"""
