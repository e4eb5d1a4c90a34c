#include "server_list.h"

#include <charconv>

namespace floatlm::client {
namespace {

bool ValidHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

std::optional<Endpoint> ParseEntry(std::string_view entry, std::string* error) {
  const auto at = entry.find('@');
  if (at == std::string_view::npos) {
    *error = "server \"" + std::string(entry) +
             "\" is not of the form port@host (a license file path needs a '/' or ends in .lic)";
    return std::nullopt;
  }
  Endpoint ep;
  const std::string_view port = entry.substr(0, at);
  const std::string_view host = entry.substr(at + 1);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      *error = "server \"" + std::string(entry) + "\" has an invalid port \"" + std::string(port) +
               "\" (1-65535)";
      return std::nullopt;
    }
    ep.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty() || host.size() > 253) {
    *error = "server \"" + std::string(entry) + "\" has no host name";
    return std::nullopt;
  }
  for (char c : host) {
    if (!ValidHostChar(c)) {
      *error = "server \"" + std::string(entry) + "\" has an invalid host name \"" +
               std::string(host) + "\"";
      return std::nullopt;
    }
  }
  ep.host = std::string(host);
  return ep;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Endpoint::ToString() const {
  return (tls ? "tls:" : "") + std::to_string(port) + "@" + host;
}

bool IsLicenseFile(std::string_view entry) {
  if (entry.find('@') != std::string_view::npos) return false;
  return entry.find('/') != std::string_view::npos || entry.ends_with(".lic") ||
         entry.ends_with(".dat");
}

std::optional<ServerSources> ParseServerSources(std::string_view text, std::string* error) {
  ServerSources out;
  std::string servers;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of(":;", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = Trim(text.substr(start, end - start));
    if (IsLicenseFile(entry)) {
      out.files.emplace_back(entry);
    } else {
      servers += (servers.empty() ? "" : ":") + std::string(text.substr(start, end - start));
    }
    start = end + 1;
  }
  if (!out.files.empty() && Trim(servers).empty()) return out;
  auto endpoints = ParseServerList(servers, error);
  if (!endpoints) return std::nullopt;
  out.endpoints = std::move(*endpoints);
  return out;
}

std::optional<std::vector<Endpoint>> ParseServerList(std::string_view text, std::string* error) {
  std::vector<Endpoint> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of(":;", start);
    if (end == std::string_view::npos) end = text.size();
    // Empty entries ("a::b", a trailing ':') are skipped as LM_LICENSE_FILE users expect.
    std::string_view entry = Trim(text.substr(start, end - start));
    bool tls = false;
    if (entry == "tls" && end < text.size() && text[end] == ':') {
      tls = true;
      start = end + 1;
      end = text.find_first_of(":;", start);
      if (end == std::string_view::npos) end = text.size();
      entry = Trim(text.substr(start, end - start));
      if (entry.empty()) {
        *error = "server \"tls:\" names no port@host (write tls:PORT@HOST)";
        return std::nullopt;
      }
    }
    if (!entry.empty()) {
      auto ep = ParseEntry(entry, error);
      if (!ep) {
        if (tls) *error = "tls: " + *error;
        return std::nullopt;
      }
      ep->tls = tls;
      out.push_back(std::move(*ep));
    }
    start = end + 1;
  }
  if (out.empty()) {
    *error = "the server list names no license server (expected port@host)";
    return std::nullopt;
  }
  return out;
}

}  // namespace floatlm::client
