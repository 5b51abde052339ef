// Metadata rows of the commands src/commands/geo_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "geoadd", .arity = -5, .flags = "write denyoom", .acl = "@write @geo @slow", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Add one or more geospatial items in the geospatial index represented using a sorted set", .since = "3.2.0", .group = "geo",
     .complexity = "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     .history = "6.2.0 Added the `CH`, `NX` and `XX` options.",
     .syntax = "key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]",
     .hints = "nx_xx=condition nx_xx^6.2.0 CH=change CH^6.2.0 longitude:double latitude:double"},
    {.name = "geodist", .arity = -4, .flags = "readonly", .acl = "@read @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Returns the distance between two members of a geospatial index", .since = "3.2.0", .group = "geo",
     .complexity = "O(log(N))",
     .syntax = "key member1 member2 [M | KM | FT | MI]",
     .hints = "m_km_ft_mi=unit"},
    {.name = "geopos", .arity = -2, .flags = "readonly", .acl = "@read @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Returns longitude and latitude of members of a geospatial index", .since = "3.2.0", .group = "geo",
     .complexity = "O(N) where N is the number of members requested.",
     .syntax = "key member [member ...]"},
    {.name = "geohash", .arity = -2, .flags = "readonly", .acl = "@read @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Returns members of a geospatial index as standard geohash strings", .since = "3.2.0", .group = "geo",
     .complexity = "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
     .syntax = "key member [member ...]"},
    {.name = "geosearch", .arity = -7, .flags = "readonly", .acl = "@read @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", .since = "6.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
     .history = "7.0.0 Added support for uppercase unit names.",
     .syntax = "key <FROMMEMBER member | FROMLONLAT longitude latitude> <<BYRADIUS radius> <M | KM | FT | MI> | <BYBOX width> height <M | KM | FT | MI>> [ASC | DESC] [<COUNT count> [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]",
     .hints = "longitude:double latitude:double FROMLONLAT=longitude_latitude member_longitude_latitude=from BYRADIUS:double m_km_ft_mi=unit radius_unit=circle BYBOX:double height:double width_height_unit=box circle_box=by asc_desc=order COUNT:integer count_any=count"},
    {.name = "geosearchstore", .arity = -8, .flags = "write denyoom", .acl = "@write @geo @slow", .key_specs = {"OW update | index 1 | range 0 1 0", "RO access | index 2 | range 0 1 0"},
     .summary = "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", .since = "6.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
     .history = "7.0.0 Added support for uppercase unit names.",
     .syntax = "destination source <FROMMEMBER member | FROMLONLAT longitude latitude> <<BYRADIUS radius> <M | KM | FT | MI> | <BYBOX width> height <M | KM | FT | MI>> [ASC | DESC] [<COUNT count> [ANY]] [STOREDIST]",
     .hints = "destination:key source:key source@1 longitude:double latitude:double FROMLONLAT=longitude_latitude member_longitude_latitude=from BYRADIUS:double m_km_ft_mi=unit radius_unit=circle BYBOX:double height:double width_height_unit=box circle_box=by asc_desc=order COUNT:integer count_any=count"},
    {.name = "georadius", .arity = -6, .flags = "write denyoom movablekeys", .acl = "@write @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0", "OW update | keyword STORE 6 | range 0 1 0", "OW update | keyword STOREDIST 6 | range 0 1 0"},
     .summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", .since = "3.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
     .history = "6.2.0 Added the `ANY` option for `COUNT`.\n7.0.0 Added support for uppercase unit names.",
     .syntax = "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [<COUNT count> [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]",
     .hints = "longitude:double latitude:double radius:double m_km_ft_mi=unit COUNT:integer ANY^6.2.0 count_any=count asc_desc=order STORE@1 STOREDIST@2"},
    {.name = "georadiusbymember", .arity = -5, .flags = "write denyoom movablekeys", .acl = "@write @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0", "OW update | keyword STORE 5 | range 0 1 0", "OW update | keyword STOREDIST 5 | range 0 1 0"},
     .summary = "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", .since = "3.2.0", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
     .history = "7.0.0 Added support for uppercase unit names.",
     .syntax = "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [<COUNT count> [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]",
     .hints = "radius:double m_km_ft_mi=unit COUNT:integer count_any=count asc_desc=order STORE@1 STOREDIST@2"},
    {.name = "georadius_ro", .arity = -6, .flags = "readonly", .acl = "@read @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "A read-only variant for GEORADIUS", .since = "3.2.10", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument",
     .history = "6.2.0 Added the `ANY` option for `COUNT`.",
     .syntax = "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [<COUNT count> [ANY]] [ASC | DESC]",
     .hints = "longitude:double latitude:double radius:double m_km_ft_mi=unit COUNT:integer ANY^6.2.0 count_any=count asc_desc=order"},
    {.name = "georadiusbymember_ro", .arity = -5, .flags = "readonly", .acl = "@read @geo @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "A read-only variant for GEORADIUSBYMEMBER", .since = "3.2.10", .group = "geo",
     .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
     .syntax = "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [<COUNT count> [ANY]] [ASC | DESC]",
     .hints = "radius:double m_km_ft_mi=unit COUNT:integer count_any=count asc_desc=order"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> geo_doc_rows() { return kRows; }

}  // namespace larder::commands
