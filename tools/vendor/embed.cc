// floatlm-vendor embed: the vendor's public key as a C header, so the application
// carries its own root of trust (DESIGN.md section 3) instead of reading a key file
// the customer's admin could replace.
#include <cctype>
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/text_file.h"
#include "key_files.h"

namespace floatlm::vendor {
namespace {

int Error(std::string_view message) {
  fmt::print(stderr, "floatlm-vendor: {}\n", message);
  return 1;
}

// Vendor names as license lines write them: a C identifier's letters plus '-'.
bool ValidVendor(const std::string& vendor) {
  if (vendor.empty() || vendor.size() > 64) return false;
  for (char c : vendor) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-') return false;
  }
  return true;
}

std::string Identifier(const std::string& vendor) {
  std::string out;
  for (char c : vendor) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0
               ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
               : '_';
  }
  return out;
}

std::string Header(const std::string& vendor, const std::string& pub_path, const std::string& pem) {
  const std::string id = Identifier(vendor);
  std::string guard = "FLOATLM_VENDOR_KEY_" + id + "_H_";
  for (char& c : guard) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string literal;
  std::size_t begin = 0;
  while (begin < pem.size()) {
    std::size_t end = pem.find('\n', begin);
    if (end == std::string::npos) end = pem.size();
    literal += fmt::format("    \"{}\\n\"\n", pem.substr(begin, end - begin));
    begin = end + 1;
  }
  return fmt::format(
      "/* {vendor}'s license signing key (public), made by floatlm-vendor embed from {path}.\n"
      " * Include it in the application and call floatlm_trust_{id}(options) before\n"
      " * floatlm_client_create(): libfloatlm then refuses every seat whose license lines\n"
      " * were not signed by this key (FLOATLM_E_UNTRUSTED_LICENSE). Public data: safe to\n"
      " * ship; the private key stays with {vendor}. */\n"
      "#ifndef {guard}\n"
      "#define {guard}\n"
      "\n"
      "#include <floatlm/floatlm.h>\n"
      "\n"
      "static const char floatlm_vendor_key_{id}[] =\n"
      "{literal};\n"
      "\n"
      "static inline floatlm_status floatlm_trust_{id}(floatlm_options_t* options) {{\n"
      "  return floatlm_options_add_vendor_key(options, \"{vendor}\", floatlm_vendor_key_{id});\n"
      "}}\n"
      "\n"
      "#endif /* {guard} */\n",
      fmt::arg("vendor", vendor), fmt::arg("path", pub_path), fmt::arg("id", id),
      fmt::arg("guard", guard), fmt::arg("literal", literal));
}

}  // namespace

int Embed(const std::string& pub_path, const std::string& vendor,
          const std::optional<std::string>& out) {
  if (!ValidVendor(vendor)) {
    return Error(fmt::format("'{}' is not a vendor name (letters, digits, '_' and '-', at most "
                             "64)",
                             vendor));
  }
  auto pem = licenses::ReadTextFile(pub_path);
  if (!pem) return Error(pem.error().message);
  auto key = licenses::PublicKey::FromPem(pem.value());
  if (!key) return Error(fmt::format("{}: {}", pub_path, key.error().message));
  // The key's own PEM, not the file's bytes: comments or CRLF in the file stay out.
  const std::string header = Header(vendor, pub_path, key.value().ToPem());
  if (!out) {
    std::fwrite(header.data(), 1, header.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : Error("cannot write to standard output");
  }
  if (auto written = WriteFile(*out, header); !written) return Error(written.error().message);
  fmt::print(stderr, "wrote {}: call floatlm_trust_{}(options) in the application\n", *out,
             Identifier(vendor));
  return 0;
}

}  // namespace floatlm::vendor
