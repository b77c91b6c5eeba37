"""Sends identify, track, page and batch calls to a Tessera collector with Segment's own Python
library (segment-analytics-python), unchanged but for the host. Usage: segment_client.py HOST KEY.
Exits non-zero when the library reports an error."""
import datetime
import sys

import segment.analytics as analytics

host, key = sys.argv[1], sys.argv[2]
errors = []
analytics.write_key = key
analytics.host = host
analytics.sync_mode = True
analytics.on_error = lambda error, items: errors.append(repr(error))

# An anonymous visitor browses, then signs up: the alias joins the history to the profile.
analytics.track(anonymous_id="anon-42", event="Product Viewed", properties={"sku": "nw-1001", "price": 49})
analytics.page(anonymous_id="anon-42", name="Pricing", properties={"path": "/pricing"})
analytics.identify("user-7", {"email": "Grace.Hopper@Example.com", "firstName": "Grace", "lastName": "Hopper",
                              "address": {"country": "United States", "postalCode": "10001"}, "plan": "pro"})
analytics.alias("anon-42", "user-7")
analytics.track("user-7", "Order Completed", {"revenue": 640, "currency": "usd",
                                              "products": [{"sku": "nw-2002", "price": 320, "quantity": 2}]})
# A historical event: an explicit timestamp far in the past is kept as such.
analytics.track("user-7", "Email Opened", {}, timestamp=datetime.datetime(2020, 1, 2, 3, 4, 5,
                                                                          tzinfo=datetime.timezone.utc))
analytics.track("user-7", "Webinar Attended", {"topic": "segments"})
analytics.flush()
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print("sent")
