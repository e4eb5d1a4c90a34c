// The commands of floatlm-vendor. Each returns the process exit code
// (0 ok, 1 error) and prints its own messages; argument checking is main.cc's.
#ifndef FLOATLM_TOOLS_VENDOR_COMMANDS_H_
#define FLOATLM_TOOLS_VENDOR_COMMANDS_H_

#include <optional>
#include <string>

namespace floatlm::vendor {

int Keygen(const std::string& prefix);
int Sign(const std::string& key_path, const std::string& in, const std::optional<std::string>& out);
int Verify(const std::string& pub_path, const std::string& in);
// Lists where floatlm reads `in` differently from FlexLM, per line; no key needed, so a
// vendor's original FlexLM file can be checked before it is re-signed (check.cc).
int Check(const std::string& in);
// Writes a C header that embeds `pub_path`'s key for `vendor` (embed.cc).
int Embed(const std::string& pub_path, const std::string& vendor,
          const std::optional<std::string>& out);

}  // namespace floatlm::vendor

#endif  // FLOATLM_TOOLS_VENDOR_COMMANDS_H_
