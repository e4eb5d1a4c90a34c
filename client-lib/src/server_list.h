// Parses a server list such as FLOATLM_LICENSE: "port@host[:port@host...]", where an
// entry may ask for TLS: "tls:port@host", or name a license file (ParseServerSources).
// Pure: no I/O, no environment. Thread-safe.
#ifndef FLOATLM_CLIENT_SERVER_LIST_H_
#define FLOATLM_CLIENT_SERVER_LIST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floatlm::client {

inline constexpr std::uint16_t kDefaultPort = 27000;

struct Endpoint {
  std::string host;  // IPv4 address or host name
  std::uint16_t port = kDefaultPort;
  bool tls = false;              // "tls:" entry: TLS only, certificate verified
  std::string ToString() const;  // "port@host" or "tls:port@host", the form users write
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Entries are separated by ':' (as in LM_LICENSE_FILE) or ';'. Each entry is
// "port@host" or "@host" (default port 27000), optionally prefixed "tls:" (the one
// colon that does not separate: "tls" alone is never an entry, since it has no '@'). Returns nullopt and sets `error` to a
// sentence naming the bad entry when the list is empty or an entry is unusable.
std::optional<std::vector<Endpoint>> ParseServerList(std::string_view text, std::string* error);

// What a server list names when it may mix license files with servers, as FlexLM's
// LM_LICENSE_FILE does: an entry without '@' that contains '/' or ends in ".lic" or ".dat"
// is a license file (read by local_licenses.h), the others are parsed as above. Fails
// like ParseServerList, except that a list of files alone is valid.
struct ServerSources {
  std::vector<Endpoint> endpoints;
  std::vector<std::string> files;  // in list order
};
std::optional<ServerSources> ParseServerSources(std::string_view text, std::string* error);

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_SERVER_LIST_H_
