"""Money: everything priced, invoiced or paid. May import `company`; never the reverse."""
