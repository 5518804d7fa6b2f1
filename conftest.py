"""Loads the kit's pytest plugin (dojo/plugin.py): targets, exercise markers, friendly stub failures."""

pytest_plugins = ("dojo.plugin",)
