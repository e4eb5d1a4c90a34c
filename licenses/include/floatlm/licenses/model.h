// The license model: what a set of verified license files entitles a site to.
// Built by the parser/model builder (model_builder.h) from license lines whose
// signatures verified; consumed by the daemon's seat engine. Plain values, no I/O.
#ifndef FLOATLM_LICENSES_MODEL_H_
#define FLOATLM_LICENSES_MODEL_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace floatlm::licenses {

// A FlexLM version number such as "2027.0" or "1.000": a decimal with at most
// 6 fraction digits. "1.0" == "1.000". Compared numerically.
struct Version {
  std::uint64_t scaled = 0;  // value * 1'000'000
  static std::optional<Version> Parse(std::string_view text);
  std::string ToString() const;  // shortest form with at least one fraction digit: "2027.0"
  friend auto operator<=>(const Version&, const Version&) = default;
};

// A calendar date as written in license files (dd-mmm-yyyy).
using Date = std::chrono::year_month_day;

// Who shares one seat (FlexLM DUP_GROUP). Bits combine: UH = user and host.
// kNone: every checkout takes its own seat. kSite: everyone shares one seat.
struct DupGroup {
  enum Bits : std::uint8_t { kNone = 0, kUser = 1, kHost = 2, kDisplay = 4, kSite = 8, kVersion = 16 };
  std::uint8_t bits = kUser | kHost;
  static std::optional<DupGroup> Parse(std::string_view text);  // "NONE", "SITE", "UHD", "UHV"...
  std::string ToString() const;
  friend bool operator==(const DupGroup&, const DupGroup&) = default;
};

// Host ids as written on SERVER lines and in HOSTID=, and as a client reports its own.
// kAny (ANY) and kDemo (DEMO) match every host; kInternet (INTERNET=a.b.c.*) matches the
// client's IPv4 address; kComposite (COMPOSITE=...) and kOther (FLEXID=..., VSN=... and
// any other KIND=value) match a client that reports the same text, as a vendor-set id.
struct HostId {
  enum class Kind : std::uint8_t {
    kAny, kEthernet, kHex32, kHostname, kId, kOther, kDemo, kComposite, kInternet
  };
  Kind kind = Kind::kAny;
  std::string value;  // normalised: lower-case hex without separators, or the name
  static std::optional<HostId> Parse(std::string_view text);
  std::string ToString() const;
  // Whether this id of a license line names the client that reports `reported` (its own
  // ids, parsed) from IPv4 address `peer` ("" when unknown). Case never matters.
  bool Admits(const std::vector<HostId>& reported, std::string_view peer) const;
  friend bool operator==(const HostId&, const HostId&) = default;
};

// Where a line came from, for messages: "file:line".
struct SourceRef {
  std::string file;
  int line = 0;
  std::string ToString() const;  // "file:line"
};

// One FEATURE/INCREMENT line's contribution to a pool.
struct PoolLine {
  SourceRef source;
  int count = 0;                   // seats from this line (0 when uncounted)
  std::optional<Date> start;       // START=; nothing granted before it
  std::optional<Date> expiry;      // nullopt = permanent; valid through the end of this day
  std::optional<Date> issued;      // ISSUED=
  std::string serial;              // SN=
  // HOSTID= of the line: the hosts it is locked to (any one of them will do). Empty when
  // the line floats: no HOSTID, or a list that holds ANY or DEMO.
  std::vector<HostId> hostids;
  // Every key=value attribute of this line, upper-cased keys (options qualifiers match them).
  std::map<std::string, std::string> attributes;
  // The line as signed, for the client's own check (evidence.h): "<hostid>\n<line>".
  std::string evidence;
};

// Cascading rank: lower ranks are tried first.
enum class Rank : std::uint8_t { kProduct = 0, kCollection = 1, kSuite = 2 };

// A pool of interchangeable seats: FEATURE/INCREMENT lines of one feature with the
// same version, DUP_GROUP, USER_BASED, HOST_BASED, VENDOR_STRING (when the vendor pools by
// it) and HOSTID. FEATURE: first line wins;
// INCREMENT: counts of matching lines add up; SUPERSEDE already applied.
struct Pool {
  std::string feature;
  std::string vendor;
  Version version;
  std::optional<int> prev_versions;  // PREV_VERSIONS=n: serves versions down to n releases back
  bool uncounted = false;
  DupGroup dup_group;
  bool dup_group_given = false;      // DUP_GROUP= written: else the application may choose
  int sort = 100;                    // SORT=; lower first within a rank
  bool user_based = false;           // USER_BASED: named-user seats
  std::optional<int> user_based_limit;  // USER_BASED=n: at most n named users (default: the count)
  bool host_based = false;           // HOST_BASED: seats for named hosts (options-file INCLUDE HOST)
  std::optional<int> host_based_limit;  // HOST_BASED=n: at most n named hosts (default: the count)
  std::string vendor_string;         // VENDOR_STRING=
  // POOL_BY_VENDOR_STRING (signed by the vendor): lines with another VENDOR_STRING are
  // another pool. Without it VENDOR_STRING does not split pools, as in FlexLM by default.
  bool pool_by_vendor_string = false;
  Rank rank = Rank::kProduct;        // kCollection/kSuite when it enables a suite PACKAGE
  int borrow_hours = 0;              // BORROW=; 0 = not borrowable
  std::vector<HostId> hostids;       // node-locked to these hosts (PoolLine::hostids); empty: floats
  std::vector<PoolLine> lines;       // contributing lines, file order
  std::map<std::string, std::string> attributes;  // all key=value attributes of the first line, upper-cased keys
  int order = 0;                     // position of the first line across all files

  // Seats in force at `day` (lines whose START..expiry covers it); uncounted pools return 0.
  int CountOn(Date day) const;
  // Latest expiry among lines (nullopt if any line is permanent).
  std::optional<Date> LastExpiry() const;
  // Key that identifies "the same pool" across rereads; stored with each lease.
  std::string Key() const;
  // The key an earlier release stored for this pool, when it differs from Key() (it split
  // pools by VENDOR_STRING); empty otherwise. Restore accepts both.
  std::string LegacyKey() const;
  // Whether a seat of this pool serves a request for `requested` (nullopt = any): the
  // pool's version or lower, and with PREV_VERSIONS=n not more than n majors older.
  bool ServesVersion(const std::optional<Version>& requested) const;
  // Whether some line's START..expiry covers `day` (the expiry day itself included).
  bool InForceOn(Date day) const;
  // Whether the pool is node-locked (HOSTID=) and, if so, whether it serves a client that
  // reports `reported` from `peer`. A floating pool admits everyone.
  bool AdmitsHost(const std::vector<HostId>& reported, std::string_view peer) const;
  // "HOSTNAME=ws1 0242ac110002" for messages; "" when the pool floats.
  std::string HostIdText() const;
};

// A COMPONENTS entry: feature[:version[:count]].
struct Component {
  std::string feature;
  std::optional<Version> version;  // defaults to the package version
  int count = 1;
};

// A PACKAGE line. With OPTIONS=SUITE it is a collection: its enabling pool (same
// name) counts collection seats, and each seat runs up to products_per_seat products.
struct Package {
  SourceRef source;
  std::string name;
  std::string vendor;
  std::optional<Version> version;
  std::vector<Component> components;
  bool suite = false;                   // OPTIONS=SUITE
  int products_per_seat = 2;            // PRODUCTS_PER_SEAT=
  DupGroup suite_dup_group;             // SUITE_DUP_GROUP= (default UH)
  std::vector<std::string> cloud;       // CLOUD="svc1 svc2": components that are cloud services
  int cloud_users_per_seat = 3;         // CLOUD_USERS_PER_SEAT=
  Rank rank = Rank::kCollection;        // RANK=
  std::map<std::string, std::string> attributes;
  std::string evidence;                 // the line as signed (evidence.h), as PoolLine's
};

struct ServerLine {
  SourceRef source;
  std::string host;  // "this_host" allowed
  HostId hostid;
  std::optional<int> port;
};

struct VendorLine {
  SourceRef source;
  std::string name;
  std::optional<int> port;
  std::string options_file;  // options=
};

// A license line that was not accepted, with the reason.
struct Rejection {
  SourceRef source;
  std::string reason;
  std::string ToString() const;  // "file:line: reason"
};

// Everything the daemon serves.
struct Model {
  std::optional<ServerLine> server;
  std::vector<VendorLine> vendors;
  bool use_server = false;
  std::vector<Pool> pools;          // in cascading order is NOT implied: file order
  std::vector<Package> packages;
  std::vector<Rejection> rejected;  // lines that failed verification or validation
};

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_MODEL_H_
