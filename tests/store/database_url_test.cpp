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

// Broken URLs are refused with a reason that never repeats the password.
TEST(DatabaseUrl, badUrlsAreRefusedWithoutThePassword) {
    for (const char* bad :
         {"postgres://u:secret@h/db", "sqlite:", "mariadb://u:secret@h", "mariadb://u:secret@h:99999/db",
          "mariadb://u:secret@h/db?sslmode=on", "mariadb://:secret@h/db", "mariadb://u:secret%4@h/db"}) {
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
