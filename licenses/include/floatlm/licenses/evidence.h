// Evidence: the signed license lines a grant carries, so that an application can check
// with its vendor's public key that its seat comes from lines that vendor signed
// (DESIGN.md section 3: the daemon's key directory belongs to the customer's admin and
// cannot be the vendor's root of trust).
//
// One piece of evidence is one signed FEATURE/INCREMENT/PACKAGE line and the SERVER
// host id its signature is bound to, as text: "<hostid>\n<the line in file syntax>".
// Parsing it again gives the same canonical form, so the line's SIGN verifies as it did
// in the license file. Pure: no I/O, no clock (callers pass `today`).
#ifndef FLOATLM_LICENSES_EVIDENCE_H_
#define FLOATLM_LICENSES_EVIDENCE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/model.h"
#include "floatlm/licenses/parser.h"

namespace floatlm::licenses {

// The evidence text of `line`, bound to `hostid`.
std::string EvidenceOf(const HostId& hostid, const LicenseLine& line);

// Checks grants against the vendor keys an application trusts. Verifies each distinct
// line's signature once and remembers the verdict, so a checkout whose lines were seen
// before costs no signature check. Not thread-safe: the owner serializes calls.
class EvidenceChecker {
 public:
  // Trusts `key` for lines that name `vendor`. A second key for one vendor replaces the first.
  void AddKey(const std::string& vendor, PublicKey key);
  bool empty() const { return keys_.empty(); }

  // nullopt if `lines` (a grant's evidence, `left_out` of them not sent) prove a seat
  // of `feature` at `version` (nullopt = any) on `today`; else one sentence that says
  // which check failed, starting with the feature's name, e.g.
  //   "cad: license line not signed by acme's key (signed by another key, or changed)".
  // Every line must name a vendor whose key is held and verify under that key; one of
  // them (a FEATURE/INCREMENT of `feature`, or a suite PACKAGE listing it with its
  // enabling INCREMENT) must cover the version and be in force on `today`.
  std::optional<std::string> Check(const std::vector<std::string>& lines, std::uint64_t left_out,
                                   std::string_view feature,
                                   const std::optional<Version>& version, Date today);

  // Signature checks made so far (a test's window on the cache).
  std::size_t signatures_checked() const { return signatures_checked_; }

 private:
  // What a set of lines means once every signature verified, or why it cannot count.
  struct Reading {
    std::optional<std::string> failure;  // without the "feature: " prefix
    Model model;
  };
  std::optional<std::string> VerifyOne(const std::string& evidence, LicenseLine* line);
  std::shared_ptr<const Reading> Read(const std::vector<std::string>& lines);

  std::map<std::string, PublicKey> keys_;
  std::unordered_map<std::string, std::optional<std::string>> line_verdicts_;
  std::unordered_map<std::string, std::shared_ptr<const Reading>> readings_;
  std::size_t signatures_checked_ = 0;
};

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_EVIDENCE_H_
