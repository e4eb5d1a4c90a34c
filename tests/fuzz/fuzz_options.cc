// Fuzzes the options-file parser and every policy query the seat engine makes. Names
// for the queries come from the input itself, so rules written in it get matched.
// Properties: a policy exists exactly when there are no errors; a denial names its
// reason; idle timeouts respect the documented floor.
#include <cstddef>
#include <cstdint>
#include <set>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "options/options_parser.h"
#include "options/options_policy.h"

namespace opt = floatlm::options;

namespace {

// Up to `max` distinct words of the text, plus a few that match nothing.
std::vector<std::string> Words(std::string_view text, std::size_t max) {
  std::set<std::string> seen;
  std::vector<std::string> out = {"cad", "alice", "ws1"};
  std::size_t i = 0;
  while (i < text.size() && out.size() < max) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                               text[i] == '\r' || text[i] == '"')) {
      ++i;
    }
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' &&
           text[j] != '\r' && text[j] != '"') {
      ++j;
    }
    if (j > i) {
      std::string w(text.substr(i, j - i));
      // "feature:VERSION=x" qualifies a rule; the bare name is what a request carries.
      if (auto colon = w.find(':'); colon != std::string::npos && colon > 0) w.resize(colon);
      if (seen.insert(w).second) out.push_back(std::move(w));
    }
    i = j;
  }
  return out;
}

void CheckVerdict(const opt::Verdict& v) {
  FUZZ_CHECK(v.ok() == (v.code == floatlm::Errc::kOk), "ok() disagrees with the code");
  if (!v.ok()) FUZZ_CHECK(!v.message.empty(), "a denial without a sentence");
  if (v.rule) (void)v.rule->ToString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const opt::ParsedOptions parsed = opt::ParseOptions("fuzz.opt", text);
  FUZZ_CHECK(parsed.policy.has_value() == parsed.errors.empty(),
             "a policy must exist exactly when there are no errors");
  for (const std::string& e : parsed.errors) FUZZ_CHECK(!e.empty(), "empty error text");
  if (!parsed.policy) return 0;
  const opt::OptionsPolicy& policy = *parsed.policy;
  (void)policy.empty();

  const std::vector<std::string> words = Words(text, 8);
  const char* ips[] = {"10.0.0.1", "::ffff:192.168.1.5", "", "not-an-ip"};
  std::vector<opt::Requester> people;
  for (std::size_t i = 0; i < words.size(); ++i) {
    people.push_back(opt::Requester{words[i], words[(i + 1) % words.size()],
                                    words[(i + 2) % words.size()], ips[i % 4]});
  }
  for (const std::string& feature_name : words) {
    const std::map<std::string, std::string> attributes = {{"ASSET_INFO", words[0]},
                                                           {"HOSTID", words.back()}};
    const opt::LineRef lines[] = {{"SN-1", "31-dec-2027", &attributes}, {"", "permanent", nullptr}};
    const opt::FeatureRef features[] = {{feature_name, "", {}}, {feature_name, "2027.0", lines}};
    (void)policy.UnmatchedRules(features);
    for (const opt::FeatureRef& feature : features) {
      if (auto t = policy.IdleTimeoutSeconds(feature.name)) {
        FUZZ_CHECK(*t >= opt::OptionsPolicy::kMinTimeoutSeconds, "idle timeout below the floor");
      }
      (void)policy.Reservations(feature, people);
      for (std::size_t i = 0; i < people.size(); ++i) {
        const opt::Requester& who = people[i];
        CheckVerdict(policy.Admission(feature, who));
        // Holders: none, some, everyone; free seats: none, one, plenty.
        const std::span<const opt::Requester> all(people);
        const std::span<const opt::Requester> holder_sets[] = {all.first(0), all.first(i), all};
        for (const auto& holders : holder_sets) {
          for (long long free_seats : {0LL, 1LL, 5LL}) {
            const opt::SeatUse use{free_seats, holders};
            CheckVerdict(policy.Reservation(feature, who, use));
            CheckVerdict(policy.Max(feature, who, use));
            CheckVerdict(policy.MayTakeSeat(feature, who, use));
          }
        }
      }
    }
  }
  return 0;
}
