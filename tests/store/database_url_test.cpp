// The --database spellings.

#include <gtest/gtest.h>

#include "store/database_url.hpp"

namespace cardd::store {
namespace {

// sqlite:PATH names a file.
TEST(DatabaseUrl, sqlitePathIsParsed) {
    const auto url = parse_database_url("sqlite:/var/lib/cardd/cardd.sqlite");
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(std::get<SqliteUrl>(*url).path, "/var/lib/cardd/cardd.sqlite");
}

// Every part of a MariaDB URL lands in its field, percent-escapes decoded.
TEST(DatabaseUrl, mariadbUrlIsParsed) {
    const auto url =
        parse_database_url("mariadb://cardd:p%40ss%3Aw@db.example:3307/cards?socket=/run/mysqld/mysqld.sock");
    ASSERT_TRUE(url.has_value()) << url.error().message;
    const auto& params = std::get<MariadbParams>(*url);
    EXPECT_EQ(params.user, "cardd");
    EXPECT_EQ(params.password, "p@ss:w");
    EXPECT_EQ(params.host, "db.example");
    EXPECT_EQ(params.port, 3307u);
    EXPECT_EQ(params.database, "cards");
    EXPECT_EQ(params.socket, "/run/mysqld/mysqld.sock");
}

// The nodes of a Galera cluster: several hosts, or several sockets, tried in order.
TEST(DatabaseUrl, severalNodesAreTriedInOrder) {
    const auto hosts = parse_database_url("mariadb://cardd:pw@node1,node2:3307,node3/cards");
    ASSERT_TRUE(hosts.has_value()) << hosts.error().message;
    const auto& h = std::get<MariadbParams>(*hosts);
    EXPECT_EQ(h.host, "node1");
    EXPECT_EQ(h.port, 0u);
    ASSERT_EQ(h.others.size(), 2u);
    EXPECT_EQ(h.others[0].host, "node2");
    EXPECT_EQ(h.others[0].port, 3307u);
    EXPECT_EQ(h.others[1].host, "node3");
    const auto sockets = parse_database_url("mariadb://root@/cards?socket=/run/a.sock&socket=/run/b.sock");
    ASSERT_TRUE(sockets.has_value()) << sockets.error().message;
    const auto& s = std::get<MariadbParams>(*sockets);
    EXPECT_EQ(s.socket, "/run/a.sock");
    ASSERT_EQ(s.others.size(), 1u);
    EXPECT_EQ(s.others[0].socket, "/run/b.sock");
    EXPECT_TRUE(std::get<MariadbParams>(*parse_database_url("mariadb://u@h/db")).others.empty());
}

// Broken URLs are refused with a reason that never repeats the password.
TEST(DatabaseUrl, badUrlsAreRefusedWithoutThePassword) {
    for (const char* bad :
         {"postgres://u:secret@h/db", "sqlite:", "mariadb://u:secret@h", "mariadb://u:secret@h:99999/db",
          "mariadb://u:secret@h/db?sslmode=on", "mariadb://:secret@h/db", "mariadb://u:secret%4@h/db",
          "mariadb://u:secret@h,,k/db", "mariadb://u:secret@h,/db", "mariadb://u:secret@,h/db",
          "mariadb://u:secret@h/db?socket="}) {
        const auto url = parse_database_url(bad);
        ASSERT_FALSE(url.has_value()) << bad;
        EXPECT_EQ(url.error().code, Errc::invalid_argument);
        EXPECT_EQ(url.error().message.find("secret"), std::string::npos) << url.error().message;
    }
}

// Logs show URLs with the password masked.
TEST(DatabaseUrl, redactionHidesThePassword) {
    EXPECT_EQ(redact_database_url("mariadb://cardd:hunter2@db/cards"), "mariadb://cardd:***@db/cards");
    EXPECT_EQ(redact_database_url("mariadb://cardd@db/cards"), "mariadb://cardd@db/cards");
    EXPECT_EQ(redact_database_url("sqlite:/x"), "sqlite:/x");
}

}  // namespace
}  // namespace cardd::store
