"""The Walk-ins and waitlist page: the queue at the door with live estimates, and the waitlist."""
