// Nothing secret in anything cardd writes or shows. The master key (its raw
// bytes, hex in either case, base64), the card keys derived from it for the
// card this test writes, the database password and a console account's
// password are looked for in: every log line of every run, every answer and
// error cardctl printed (--json and text), every file of the test's
// directory (cardd's data directory, its configuration, the terminals'
// state) beside the key file itself and the simulated card (which is the
// card's own memory, keys and all), and cardd's command line and
// environment as `ps` shows them. And cardd writes no core, which would hold
// them all. MariaDB only: the database password is the point.

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "protocol/card/key_diversification.hpp"
#include "protocol/hex.hpp"
#include "store/mariadb_connection.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/mariadb_server.hpp"

namespace cardd::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* database_password = "Db-Pw-7e41c9a0-secret";
constexpr const char* account_password = "Acct-Pw-51f0b2d6-secret";

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string base64(std::span<const std::uint8_t> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int length =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

/// Every form of `bytes` a leak could take.
std::vector<std::string> forms(std::span<const std::uint8_t> bytes) {
    const std::string hex = protocol::hex_bytes(bytes, {}, protocol::HexCase::lower);
    std::string b64 = base64(bytes);
    // Without its padding, as base64url and many printers leave it.
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return {hex, upper(hex), b64, std::string(bytes.begin(), bytes.end())};
}

class Secrets : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        // cardd's own database user, with a password, as a site has it.
        auto admin = store::open_mariadb(mariadb_server().params(""));
        ASSERT_TRUE(admin) << admin.error().message;
        const std::string user = "'cardd_secret'@'localhost'";
        for (const std::string& sql :
             {"CREATE USER IF NOT EXISTS " + user + " IDENTIFIED BY '" + database_password + "'",
              "GRANT ALL ON `" + mariadb_database_ + "`.* TO " + user}) {
            const auto done = (*admin)->execute(sql);
            ASSERT_TRUE(done) << done.error().message;
        }
        database_url_ = "mariadb://cardd_secret:" + std::string(database_password) + "@localhost/" + mariadb_database_ +
                        "?socket=" + mariadb_server().socket().string();
        restart_cardd({{"log_level", "\"debug\""}});
    }

    /// cardctl without --json, as a person reads it: what it printed.
    std::string cardctl_text(const std::vector<std::string>& args) {
        std::vector<std::string> argv{CARDCTL_PATH, "--socket", socket().string()};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto run = cardd::test::run_program(argv, dir_.path() / "text.err", 60s);
        return run.out + run.err;
    }

    std::string printed_;  ///< everything cardctl printed in this test
    void keep(const CtlRun& run) { printed_ += run.out + run.err; }
};

TEST_P(Secrets, nothingCarddWritesOrShowsHoldsAKeyOrAPassword) {
    Sim& sim = tcp_sim("a");
    add_tcp_terminal("tcp-1", sim);
    issue("S001", 5001, 5000);
    place(5001);
    const json card = read_card();
    const std::string uid_hex = card.at("uid");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"card", "topup", "5001", "12.50"},
             {"card", "read"},
             {"card", "loss", "5001", "--push", "--devices", "all"},
             {"card", "unlock", "5001", "--push", "--devices", "all"},
             {"card", "topup", "5001", "999999999"},
             {"status"},
             {"audit"},
         }) {
        keep(cardctl(args));
        printed_ += cardctl_text(args);
    }
    const CtlRun added = cardctl_with_password({"account", "add", "desk.9", "--role", "issuer"}, account_password);
    EXPECT_EQ(added.exit_code, 0) << added.describe();
    keep(added);
    keep(cardctl_with_password({"account", "passwd", "desk.9"}, account_password));
    // A login from a uid that is not the console's, and one with the
    // password wrong by a letter: both refused, neither logged with it.
    const std::string wrong = std::string(account_password) + "x";
    for (const std::string& password : {std::string(account_password), wrong}) {
        printed_ += ask_line(
            json({{"command", "account-login"}, {"arguments", {{"name", "desk.9"}, {"password", password}}}, {"id", 1}})
                .dump());
    }
    // A restart: the store is opened again and logged by its URL, the password starred.
    restart_cardd();

    // What `ps` and anyone on the box sees of the running cardd.
    const std::string proc = "/proc/" + std::to_string(cardd().pid());
    std::string cmdline = read_all(proc + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    EXPECT_NE(cmdline.find("mariadb://cardd_secret:"), std::string::npos) << cmdline;
    const std::string shown = cmdline + read_all(proc + "/environ");
    const std::string limits = read_all(proc + "/limits");
    const auto core = limits.find("Max core file size");
    ASSERT_NE(core, std::string::npos) << limits;
    std::istringstream core_line(limits.substr(core + std::string("Max core file size").size()));
    std::string soft;
    std::string hard;
    core_line >> soft >> hard;
    EXPECT_EQ(soft, "0") << limits;
    EXPECT_EQ(hard, "0") << limits;

    // Every file of the test: cardd's data directory (but the key file and
    // the card itself), its configuration, the terminals' state, what
    // cardctl wrote to its error files. The logs are looked at apart.
    std::string files;
    std::size_t file_count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
        if (!entry.is_regular_file()) continue;
        const fs::path& path = entry.path();
        if (path.filename() == "master.key" || path.string().find(".cards.d") != std::string::npos) continue;
        files += read_all(path);
        ++file_count;
    }

    const std::string key_text = read_all(data_dir_ / "master.key");
    ASSERT_EQ(key_text.size(), 16u);
    protocol::card::MasterKey master{};
    std::copy(key_text.begin(), key_text.end(), master.begin());
    std::vector<std::pair<std::string, std::string>> secrets;  // what, its text
    for (const std::string& form : forms(master)) secrets.emplace_back("the master key", form);
    const auto uid = protocol::parse_hex_bytes(uid_hex);
    ASSERT_TRUE(uid.has_value()) << uid_hex;
    for (int sector = 1; sector < 16; ++sector) {
        for (const auto type : {protocol::card::KeyType::a, protocol::card::KeyType::b}) {
            const auto key = protocol::card::card_key(master, *uid, sector, type);
            // The raw 6 bytes are too short to look for in binary files; their text forms are not.
            auto key_forms = forms(key);
            key_forms.pop_back();
            for (const std::string& form : key_forms)
                secrets.emplace_back("card key " + std::to_string(sector) + "/" + static_cast<char>(type), form);
        }
    }
    secrets.emplace_back("the database password", database_password);
    secrets.emplace_back("the account's password", account_password);

    const std::string log = cardd_log();
    ASSERT_NE(log.find("CARDD_CARD_WRITTEN"), std::string::npos) << "the log holds no card write to look in";
    ASSERT_GT(file_count, 0u);
    ASSERT_NE(printed_.find("5001"), std::string::npos);
    for (const auto& [what, text] : secrets) {
        EXPECT_EQ(log.find(text), std::string::npos) << what << " is in cardd's log";
        EXPECT_EQ(printed_.find(text), std::string::npos) << what << " is in what cardctl printed";
        EXPECT_EQ(files.find(text), std::string::npos) << what << " is in a file of the data directory";
        EXPECT_EQ(shown.find(text), std::string::npos) << what << " is on cardd's command line or environment";
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, Secrets, ::testing::Values(Backend::mariadb), backend_name);

}  // namespace
}  // namespace cardd::e2e
