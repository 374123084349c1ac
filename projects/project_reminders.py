"""Reminder jobs of projects: next steps due, stage changes and new partners."""
