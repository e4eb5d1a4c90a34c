// Argument checks and conventions of the C ABI that need no server.
#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <cstdlib>
#include <string>

#include "floatlm/floatlm.h"

namespace {

struct ClientHandle {
  explicit ClientHandle(const char* servers = nullptr) {
    floatlm_options_t* options = nullptr;
    BOOST_REQUIRE_EQUAL(floatlm_options_create(&options), FLOATLM_OK);
    if (servers != nullptr) floatlm_options_set_servers(options, servers);
    BOOST_REQUIRE_EQUAL(floatlm_client_create(options, &client), FLOATLM_OK);
    floatlm_options_destroy(options);
  }
  ~ClientHandle() { floatlm_client_close(client); }
  floatlm_client_t* client = nullptr;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(c_api)

BOOST_AUTO_TEST_CASE(null_handles_are_refused_not_crashed_on) {
  BOOST_CHECK_EQUAL(floatlm_options_create(nullptr), FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_set_servers(nullptr, "1@a"), FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_client_create(nullptr, nullptr), FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_client_connect(nullptr), FLOATLM_E_BAD_ARGUMENT);
  uint64_t lease = 0;
  BOOST_CHECK_EQUAL(floatlm_client_checkout(nullptr, "f", nullptr, 0, &lease),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_client_checkin(nullptr, 1), FLOATLM_E_BAD_ARGUMENT);
  char* text = nullptr;
  BOOST_CHECK_EQUAL(floatlm_client_status(nullptr, nullptr, 0, &text), FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_client_close(nullptr), FLOATLM_OK);
  BOOST_CHECK(floatlm_client_last_error(nullptr) != nullptr);
  BOOST_CHECK_EQUAL(floatlm_client_is_connected(nullptr), 0);
  floatlm_options_destroy(nullptr);
  floatlm_free(nullptr);
}

BOOST_AUTO_TEST_CASE(invalid_option_values_are_refused) {
  floatlm_options_t* options = nullptr;
  BOOST_REQUIRE_EQUAL(floatlm_options_create(&options), FLOATLM_OK);
  BOOST_CHECK_EQUAL(floatlm_options_set_request_timeout_ms(options, 0), FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_set_reconnect_backoff_ms(options, 0, 10),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_set_reconnect_backoff_ms(options, 500, 100),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_set_reconnect_backoff_ms(options, 10, 100), FLOATLM_OK);
  floatlm_options_destroy(options);
}

BOOST_AUTO_TEST_CASE(status_names_are_the_protocol_identifiers) {
  BOOST_CHECK_EQUAL(std::string(floatlm_status_name(FLOATLM_OK)), "ok");
  BOOST_CHECK_EQUAL(std::string(floatlm_status_name(FLOATLM_E_ALL_SEATS_IN_USE)),
                    "all_seats_in_use");
  BOOST_CHECK_EQUAL(std::string(floatlm_status_name(FLOATLM_E_TIMED_OUT)), "timed_out");
  BOOST_CHECK_EQUAL(std::string(floatlm_status_name(-5)), "unknown");
  BOOST_CHECK(!std::string(floatlm_version()).empty());
}

BOOST_AUTO_TEST_CASE(connect_without_any_server_explains_how_to_set_one) {
  ::unsetenv("FLOATLM_LICENSE");
  ::unsetenv("LM_LICENSE_FILE");
  ClientHandle h;
  BOOST_CHECK_EQUAL(floatlm_client_connect(h.client), FLOATLM_E_BAD_ARGUMENT);
  const std::string why = floatlm_client_last_error(h.client);
  BOOST_CHECK(why.find("FLOATLM_LICENSE") != std::string::npos);
  BOOST_CHECK(why.find("LM_LICENSE_FILE") != std::string::npos);
  // The application has no command line: the library never names a CLI flag.
  BOOST_CHECK(why.find(" -c ") == std::string::npos);
}

// Where the server list comes from: the application's variable, then FLOATLM_LICENSE,
// then LM_LICENSE_FILE's port@host entries. Each points at a port nobody listens on, so
// the connect error names the one used.
BOOST_AUTO_TEST_CASE(the_applications_variable_then_floatlm_license_then_lm_license_file) {
  auto connect_error = [](const char* variable) {
    floatlm_options_t* options = nullptr;
    BOOST_REQUIRE_EQUAL(floatlm_options_create(&options), FLOATLM_OK);
    BOOST_REQUIRE_EQUAL(floatlm_options_set_license_variable(options, variable), FLOATLM_OK);
    floatlm_client_t* client = nullptr;
    BOOST_REQUIRE_EQUAL(floatlm_client_create(options, &client), FLOATLM_OK);
    floatlm_options_destroy(options);
    floatlm_client_connect(client);
    std::string why = floatlm_client_last_error(client);
    floatlm_client_close(client);
    return why;
  };
  ::setenv("ACME_LICENSE_FILE", "1@127.0.0.1", 1);
  ::setenv("FLOATLM_LICENSE", "2@127.0.0.1", 1);
  ::setenv("LM_LICENSE_FILE", "/opt/acme/site.lic:3@127.0.0.1", 1);
  BOOST_CHECK(connect_error("ACME_LICENSE_FILE").find("1@127.0.0.1") != std::string::npos);
  BOOST_CHECK(connect_error(nullptr).find("2@127.0.0.1") != std::string::npos);
  ::unsetenv("FLOATLM_LICENSE");
  const std::string lm = connect_error("ACME_OTHER");
  BOOST_CHECK_MESSAGE(lm.find("3@127.0.0.1") != std::string::npos, lm);
  BOOST_CHECK(lm.find("site.lic") == std::string::npos);
  ::unsetenv("ACME_LICENSE_FILE");
  ::unsetenv("LM_LICENSE_FILE");
  floatlm_options_t* options = nullptr;
  BOOST_REQUIRE_EQUAL(floatlm_options_create(&options), FLOATLM_OK);
  BOOST_CHECK_EQUAL(floatlm_options_set_license_variable(options, "A=B"), FLOATLM_E_BAD_ARGUMENT);
  floatlm_options_destroy(options);
}

BOOST_AUTO_TEST_CASE(a_failed_connect_stays_in_the_errors_of_later_calls) {
  ClientHandle h("1@127.0.0.1");
  BOOST_CHECK_EQUAL(floatlm_client_connect(h.client), FLOATLM_E_CONNECT_FAILED);
  uint64_t lease = 0;
  BOOST_CHECK_EQUAL(floatlm_client_checkout(h.client, "cad", nullptr, 0, &lease),
                    FLOATLM_E_DISCONNECTED);
  const std::string why = floatlm_client_last_error(h.client);
  BOOST_CHECK_MESSAGE(why.find("cannot reach a license server") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(a_bad_server_entry_is_named) {
  ClientHandle h("27000@good:oops");
  BOOST_CHECK_EQUAL(floatlm_client_connect(h.client), FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK(std::string(floatlm_client_last_error(h.client)).find("oops") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_fails_fast_with_connect_failed) {
  // Port 1 on loopback: nothing listens there, the kernel refuses at once.
  ClientHandle h("1@127.0.0.1");
  BOOST_CHECK_EQUAL(floatlm_client_connect(h.client), FLOATLM_E_CONNECT_FAILED);
  BOOST_CHECK(std::string(floatlm_client_last_error(h.client)).find("1@127.0.0.1") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(floatlm_client_is_connected(h.client), 0);
}

BOOST_AUTO_TEST_CASE(requests_before_connect_report_disconnected) {
  ClientHandle h("1@127.0.0.1");
  uint64_t lease = 0;
  BOOST_CHECK_EQUAL(floatlm_client_checkout(h.client, "cad", nullptr, 0, &lease),
                    FLOATLM_E_DISCONNECTED);
  char* text = nullptr;
  BOOST_CHECK_EQUAL(floatlm_client_status(h.client, nullptr, 0, &text), FLOATLM_E_DISCONNECTED);
  BOOST_CHECK(text == nullptr);
}

BOOST_AUTO_TEST_CASE(bad_checkout_arguments_are_refused) {
  ClientHandle h("1@127.0.0.1");
  uint64_t lease = 0;
  BOOST_CHECK_EQUAL(floatlm_client_checkout(h.client, nullptr, nullptr, 0, &lease),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_client_checkout(h.client, "", nullptr, 0, &lease),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_client_checkout(h.client, "cad", nullptr, 0, nullptr),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(
      floatlm_client_checkout(h.client, std::string(300, 'x').c_str(), nullptr, 0, &lease),
      FLOATLM_E_BAD_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(unknown_leases_are_reported) {
  ClientHandle h("1@127.0.0.1");
  BOOST_CHECK_EQUAL(floatlm_client_checkin(h.client, 42), FLOATLM_E_NO_SUCH_LEASE);
  floatlm_lease_info info{};
  BOOST_CHECK_EQUAL(floatlm_client_lease_info(h.client, 42, &info), FLOATLM_E_BAD_ARGUMENT);
  info.struct_size = sizeof(info);
  BOOST_CHECK_EQUAL(floatlm_client_lease_info(h.client, 42, &info), FLOATLM_E_NO_SUCH_LEASE);
  // A caller built before `seats` was appended passes the smaller size it knows.
  info.struct_size = offsetof(floatlm_lease_info, seats);
  BOOST_CHECK_EQUAL(floatlm_client_lease_info(h.client, 42, &info), FLOATLM_E_NO_SUCH_LEASE);
  info.struct_size = offsetof(floatlm_lease_info, expiry);
  BOOST_CHECK_EQUAL(floatlm_client_lease_info(h.client, 42, &info), FLOATLM_E_BAD_ARGUMENT);
}

BOOST_AUTO_TEST_SUITE_END()
