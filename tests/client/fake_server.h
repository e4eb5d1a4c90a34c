// A scripted floatlm server for client-library tests: speaks the wire protocol through
// the proto codec on 127.0.0.1, answers each request with whatever the test's handler
// returns, and can drop connections or stop and restart on the same port.
// Runs one thread; handler and counters are called/updated on it.
#ifndef FLOATLM_TESTS_CLIENT_FAKE_SERVER_H_
#define FLOATLM_TESTS_CLIENT_FAKE_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "floatlm/proto/messages.h"

namespace floatlm::testing {

class FakeServer {
 public:
  // One reply frame: request id 0 makes it unsolicited (LEASE_LOST, SHUTDOWN).
  struct Reply {
    std::uint32_t request_id;
    proto::Message msg;
  };
  // Returns the replies to one request. HELLO gets HELLO_OK unless handled otherwise.
  using Handler = std::function<std::vector<Reply>(const proto::Decoded&)>;

  explicit FakeServer(Handler handler, int port = 0);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  int port() const { return port_; }
  std::string address() const { return std::to_string(port_) + "@127.0.0.1"; }

  void DropConnections();  // closes every client connection, keeps listening
  void Stop();             // stops listening and drops connections
  void Start();            // listens again on the same port

  // Sends an unsolicited frame to every connected client.
  void Broadcast(const proto::Message& msg);

  int count(proto::MsgType type) const;  // requests of this type seen so far
  proto::Hello last_hello() const;

 private:
  void Loop();

  Handler handler_;
  int port_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::atomic<bool> drop_{false};
  mutable std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::string> inbufs_;
  std::vector<std::string> broadcasts_;
  int counts_[128] = {};
  proto::Hello last_hello_;
  std::thread thread_;
};

}  // namespace floatlm::testing

#endif  // FLOATLM_TESTS_CLIENT_FAKE_SERVER_H_
