// The store's error-as-value type: a code for the caller to branch on and a message for
// the admin that names the file and what failed, e.g.
//   "/var/lib/floatlm/floatlm.db: database disk image is malformed (integrity check on open)".
#ifndef FLOATLM_DAEMON_STORE_STATUS_H_
#define FLOATLM_DAEMON_STORE_STATUS_H_

#include <string>
#include <utility>

namespace floatlm::store {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,     // a record or argument breaks the store's rules; nothing applied
    kIoError,             // cannot open, read or write (missing directory, read-only, disk full)
    kCorruption,          // the database is damaged or is not a floatlm database
    kUnsupportedVersion,  // written by a newer floatlm: upgrade, do not downgrade
    kBusy,                // another process holds the database lock past the busy timeout
    kNotSupported,        // this backend does not offer the operation (see LeaseStore)
    kDeferred,            // not done now, nothing applied: the backend is busy for a moment
                          // (LeaseStore::TryCommit); try again shortly
    kCancelled,           // admin work stopped on request (AdminWork::cancel)
  };

  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string message) { return Status(code, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_STATUS_H_
