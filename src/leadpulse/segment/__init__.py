"""The Segment Tracking API (``/v1/*``): Segment's and RudderStack's libraries send here."""
