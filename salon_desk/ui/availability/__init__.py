"""The availability editor (issue #10): a weekly grid painted with the mouse or keyboard, and the bookings a
change would leave outside working hours, settled one by one before anything is saved."""
