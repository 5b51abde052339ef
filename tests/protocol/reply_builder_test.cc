#include "larder/protocol/reply_builder.h"

#include <catch2/catch.hpp>

using larder::protocol::ReplyBuilder;

TEST_CASE("RESP2 reply forms", "[reply]") {
  std::string out;
  ReplyBuilder r(out);
  r.ok();
  r.simple("PONG");
  r.integer(-42);
  r.bulk(std::string_view("a\0b", 3));
  r.bulk("");
  r.null();
  r.null_array();
  r.array(2);
  using namespace std::string_literals;
  CHECK(out == "+OK\r\n+PONG\r\n:-42\r\n$3\r\na\0b\r\n$0\r\n\r\n$-1\r\n*-1\r\n*2\r\n"s);
}

TEST_CASE("RESP3 nulls", "[reply]") {
  std::string out;
  ReplyBuilder r(out);
  r.set_protocol(3);
  r.null();
  r.null_array();
  CHECK(out == "_\r\n_\r\n");
}

TEST_CASE("errors never carry a newline and are counted", "[reply]") {
  std::string out;
  ReplyBuilder r(out);
  r.error("ERR bad\r\nthing");
  CHECK(out == "-ERR bad  thing\r\n");
  CHECK(r.errors_written() == 1);
}

TEST_CASE("aggregate and scalar forms differ between RESP2 and RESP3", "[reply]") {
  std::string two, three;
  ReplyBuilder r2(two), r3(three);
  r3.set_protocol(3);
  for (ReplyBuilder* r : {&r2, &r3}) {
    r->map(2);
    r->set(3);
    r->real(1.5);
    r->real(-1.0 / 0.0);
    r->boolean(true);
    r->verbatim("a:b");
  }
  CHECK(two == "*4\r\n*3\r\n$3\r\n1.5\r\n$4\r\n-inf\r\n:1\r\n$3\r\na:b\r\n");
  CHECK(three == "%2\r\n~3\r\n,1.5\r\n,-inf\r\n#t\r\n=7\r\ntxt:a:b\r\n");
}
