"""Reminder jobs of the calls watch: followed calls' deadlines, saved searches' digests."""
