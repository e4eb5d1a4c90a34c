// Small pieces of hand-built JSON shared by the status and diag renderers.
#ifndef FLOATLM_DAEMON_RENDER_JSON_TEXT_H_
#define FLOATLM_DAEMON_RENDER_JSON_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace floatlm::server {

// `s` as a JSON string literal, quotes included; control characters escaped.
std::string Json(std::string_view s);
// A JSON array of string literals.
std::string JsonList(const std::vector<std::string>& items);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_RENDER_JSON_TEXT_H_
