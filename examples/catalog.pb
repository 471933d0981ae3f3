
Ö
catalog.proto
catalog.v1" 
GetItemRequest
id (	Rid"K
Item
id (	Rid
name (	Rname
price_cents (R
priceCents2B
Catalog7
GetItem.catalog.v1.GetItemRequest.catalog.v1.Itembproto3