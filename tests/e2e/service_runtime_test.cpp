// cardd as systemd runs it, on SQLite (the unit's default store): the modes
// of the files it makes whatever the umask, its refusal of a store or key
// others could read, the sd_notify messages it sends, the log line of each
// step of a loss, and a run with the unit's user, umask and directories.

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

namespace fs = std::filesystem;

/// The permission bits of `path`, or -1 when it does not exist.
int mode_of(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return -1;
    return static_cast<int>(info.st_mode & 07777);
}

uid_t owner_of(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return static_cast<uid_t>(-1);
    return info.st_uid;
}

std::string hex_of_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (const char c : bytes) {
        hex += digits[(static_cast<unsigned char>(c) >> 4) & 0xf];
        hex += digits[static_cast<unsigned char>(c) & 0xf];
    }
    return hex;
}

/// Every file that holds secrets or people's data, with the mode it must have.
void expect_private_files(const fs::path& data_dir, const fs::path& store) {
    EXPECT_EQ(mode_of(data_dir), 0750) << data_dir;
    for (const fs::path& file :
         {store, fs::path(store.string() + "-wal"), fs::path(store.string() + "-shm"), data_dir / "master.key"}) {
        EXPECT_EQ(mode_of(file), 0600) << file;
    }
    const fs::path cards = data_dir / "encoder-desk.cards.d";
    EXPECT_EQ(mode_of(cards), 0700) << cards;
    EXPECT_FALSE(fs::is_empty(cards)) << cards;
    for (const auto& card : fs::directory_iterator(cards)) EXPECT_EQ(mode_of(card.path()), 0600) << card.path();
}

// ---- files and their modes ----

class FileModes : public E2e {
protected:
    // The most common umask of a shell, which would leave new files 0644.
    void before_first_start() override { saved_umask_ = ::umask(022); }
    void TearDown() override {
        E2e::TearDown();
        ::umask(saved_umask_);
    }
    mode_t saved_umask_ = 022;
};

// Under umask 0022 the store, its WAL and shared memory, the master key and
// the simulated encoder's cards are 0600, in a data directory of 0750.
TEST_P(FileModes, filesWithSecretsAreTheOwnersWhateverTheUmask) {
    Sim& sim = tcp_sim("a");
    add_tcp_terminal("tcp-1", sim);
    issue("E001", 1001, 5000);
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    expect_private_files(data_dir_, sqlite_file_);
}

// A store file (or its WAL) group or others may read is refused with exit
// status 1 and the chmod that fixes it; so is such a master key.
TEST_P(FileModes, aStoreOrKeyOthersCanReadIsRefused) {
    ASSERT_EQ(stop_cardd(), 0);
    ::chmod(sqlite_file_.c_str(), 0644);
    EXPECT_THROW(start_cardd(), std::runtime_error);
    EXPECT_EQ(cardd().wait(10s), 1);
    EXPECT_NE(cardd().stderr_text().find("run chmod 600 " + sqlite_file_.string() + " and start cardd again"),
              std::string::npos)
        << cardd().stderr_text();

    ::chmod(sqlite_file_.c_str(), 0600);
    const fs::path wal = sqlite_file_.string() + "-wal";
    ::chmod(wal.c_str(), 0660);
    EXPECT_THROW(start_cardd(), std::runtime_error);
    EXPECT_EQ(cardd().wait(10s), 1);
    EXPECT_NE(cardd().stderr_text().find("run chmod 600 " + wal.string()), std::string::npos) << cardd().stderr_text();

    ::chmod(wal.c_str(), 0600);
    const fs::path key = data_dir_ / "master.key";
    ::chmod(key.c_str(), 0640);
    EXPECT_THROW(start_cardd(), std::runtime_error);
    EXPECT_EQ(cardd().wait(10s), 1);
    EXPECT_NE(cardd().stderr_text().find("run chmod 600 " + key.string()), std::string::npos) << cardd().stderr_text();

    ::chmod(key.c_str(), 0600);
    start_cardd();  // fixed as the message said: it serves again
}

INSTANTIATE_TEST_SUITE_P(Backends, FileModes, ::testing::Values(Backend::sqlite), backend_name);

// ---- sd_notify ----

class Notify : public E2e {
protected:
    // A datagram socket standing for systemd's, named in NOTIFY_SOCKET, which
    // cardd inherits.
    void before_first_start() override {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(fd_, 0);
        const std::string path = (socket_dir() / "notify").string();
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        ASSERT_LT(path.size(), sizeof address.sun_path);
        path.copy(address.sun_path, path.size());
        ASSERT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
        ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    }
    void TearDown() override {
        E2e::TearDown();
        ::unsetenv("NOTIFY_SOCKET");
        if (fd_ >= 0) ::close(fd_);
    }

    /// Reads datagrams until one holding `part` has come since the last
    /// match (or within `timeout`): that datagram, or empty.
    std::string wait_for(const std::string& part, std::chrono::milliseconds timeout = 15s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (; seen_ < received_.size(); ++seen_) {
                if (received_[seen_].find(part) != std::string::npos) return received_[seen_++];
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return {};
            timeval wait{static_cast<time_t>(left.count() / 1000),
                         static_cast<suseconds_t>(left.count() % 1000) * 1000};
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
            char buffer[4096];
            const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
            if (got > 0) received_.emplace_back(buffer, static_cast<std::size_t>(got));
        }
    }
    std::string all_received() const {
        std::string text;
        for (const std::string& message : received_) text += "[" + message + "]\n";
        return text;
    }

    int fd_ = -1;
    std::vector<std::string> received_;
    std::size_t seen_ = 0;
};

// READY=1 once serving, STATUS= with the terminals and the retry queue as
// they change, RELOADING=1 with MONOTONIC_USEC= at SIGHUP then READY=1,
// STOPPING=1 at SIGTERM.
TEST_P(Notify, tellsSystemdReadyStatusReloadAndStop) {
    EXPECT_NE(wait_for("READY=1"), "") << all_received();
    EXPECT_NE(wait_for("STATUS=serving; terminals: 0 level, 0 failed; retry queue 0"), "") << all_received();

    Sim& sim = tcp_sim("a");
    add_tcp_terminal("tcp-1", sim);
    ctl_ok({"device", "add-terminal", "dead", "--tcp", "127.0.0.1:" + std::to_string(free_port())});
    issue("E001", 1001, 0);
    cardctl({"card", "loss", "1001", "--push", "--devices", "all"});
    EXPECT_NE(wait_for("STATUS=serving; terminals: 1 level, 1 failed; retry queue 1"), "") << all_received();

    cardd().signal(SIGHUP);
    const std::string reloading = wait_for("RELOADING=1");
    EXPECT_TRUE(std::regex_search(reloading, std::regex("^RELOADING=1\nMONOTONIC_USEC=[0-9]+$"))) << reloading;
    EXPECT_NE(wait_for("READY=1"), "") << all_received();

    EXPECT_EQ(stop_cardd(), 0);
    EXPECT_NE(wait_for("STOPPING=1"), "") << all_received();
}

INSTANTIATE_TEST_SUITE_P(Backends, Notify, ::testing::Values(Backend::sqlite), backend_name);

// ---- the log of a loss ----

class LogSteps : public E2e {};

// Each step a person looks for has its line: the loss and who reported it,
// the push's tally, the terminal that failed and why, the resync, the
// collection; the master key is in none of them.
TEST_P(LogSteps, eachStepOfALossHasItsLineAndNoKeyIsLogged) {
    Sim& sim = tcp_sim("a");
    add_tcp_terminal("tcp-1", sim);
    ctl_ok({"device", "add-terminal", "dead", "--tcp", "127.0.0.1:" + std::to_string(free_port())});
    issue("E001", 1001, 5000);
    issue("E002", 1002, 5000);
    sim.purchase(1002, 300, 4700);
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    cardctl({"resync", "--failed"});
    ctl_ok({"collect", "--devices", "tcp-1"});

    const std::string log = cardd_log();
    EXPECT_NE(log.find("CARDD_LOSS_REPORTED card_no=1001 uid=0 push=terminals terminals=2"), std::string::npos) << log;
    EXPECT_NE(log.find("CARDD_PUSH_DONE ok=1 failed=1 total=2"), std::string::npos) << log;
    EXPECT_NE(log.find("CARDD_PUSH_FAILED device=dead attempt=1 error="), std::string::npos) << log;
    EXPECT_NE(log.find("CARDD_RESYNC_DONE level=0 failed=1 total=1 failed_only=true"), std::string::npos) << log;
    EXPECT_NE(log.find("CARDD_COLLECT_OK device=tcp-1 stored=1"), std::string::npos) << log;

    const std::string key = hex_of_file(data_dir_ / "master.key");
    ASSERT_EQ(key.size(), 32u);
    std::string upper = key;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(log.find(key), std::string::npos);
    EXPECT_EQ(log.find(upper), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogSteps, ::testing::Values(Backend::sqlite), backend_name);

// ---- the unit's options ----

// What systemd/cardd.service gives cardd, made by hand: its own system user
// (`cardd` when the package made it, else a throwaway one), UMask=0077, a
// StateDirectory of 0750 owned by it, a RuntimeDirectory of 0750 for the
// socket, the configuration readable by its group, no capabilities and no
// new privileges (setpriv). Root only: it makes users and changes owners.
class UnitOptions : public E2e {
protected:
    void before_first_start() override {
        if (::geteuid() != 0) {
            throw std::runtime_error(
                "UnitOptions needs root: it runs cardd as a system user (useradd, setpriv, "
                "chown); run the e2e suite as root");
        }
        setpriv_ = cardd::test::find_program("setpriv");
        if (setpriv_.empty()) throw std::runtime_error("UnitOptions needs setpriv (util-linux)");
        if (::getpwnam("cardd") == nullptr) {
            user_ = "cardd-e2e-" + std::to_string(::getpid());
            const auto made = cardd::test::run_program(
                {cardd::test::find_program("useradd"), "--system", "--user-group", "--no-create-home", "--home-dir",
                 "/nonexistent", "--shell", "/usr/sbin/nologin", user_},
                dir_.path() / "useradd.err", 30s);
            if (made.exit_code != 0) throw std::runtime_error("useradd " + user_ + " failed: " + made.err);
            made_user_ = true;
        } else {
            user_ = "cardd";
        }
        const passwd* account = ::getpwnam(user_.c_str());
        if (account == nullptr) throw std::runtime_error("no user " + user_ + " after useradd");
        uid_ = account->pw_uid;
        gid_ = account->pw_gid;
        const group* primary = ::getgrgid(gid_);
        if (primary == nullptr) throw std::runtime_error("no group for gid " + std::to_string(gid_));

        saved_umask_ = ::umask(077);
        // The test's own directory is searchable, as /var/lib, /run and /etc are.
        ::chmod(dir_.path().c_str(), 0711);
        // StateDirectory=cardd, StateDirectoryMode=0750.
        fs::create_directory(data_dir_);
        ::chmod(data_dir_.c_str(), 0750);
        ::chown(data_dir_.c_str(), uid_, gid_);
        // RuntimeDirectory=cardd, RuntimeDirectoryMode=0750.
        ::chown(socket_dir().c_str(), uid_, gid_);
        ::chmod(socket_dir().c_str(), 0750);
        // /etc/cardd/cardd.conf: root's, readable by group cardd (cardd.tmpfiles).
        const fs::path config = dir_.path() / "cardd.conf";
        std::ofstream(config).flush();
        ::chown(config.c_str(), 0, gid_);
        ::chmod(config.c_str(), 0640);
        // cardd may hand the socket only to a group it is in.
        settings_["socket_group"] = "\"" + std::string(primary->gr_name) + "\"";

        cardd_wrapper_ = {setpriv_,
                          "--reuid",
                          std::to_string(uid_),
                          "--regid",
                          std::to_string(gid_),
                          "--init-groups",
                          "--no-new-privs",
                          "--inh-caps=-all",
                          "--bounding-set=-all",
                          "--"};
    }
    void TearDown() override {
        E2e::TearDown();
        ::umask(saved_umask_);
        if (made_user_) {
            const auto removed = cardd::test::run_program({cardd::test::find_program("userdel"), user_},
                                                          dir_.path() / "userdel.err", 30s);
            EXPECT_EQ(removed.exit_code, 0) << "userdel " << user_ << ": " << removed.err;
        }
    }

    /// The uid cardd runs as, from /proc.
    uid_t cardd_uid() {
        std::ifstream status("/proc/" + std::to_string(cardd().pid()) + "/status");
        for (std::string line; std::getline(status, line);) {
            if (line.starts_with("Uid:")) return static_cast<uid_t>(std::stoul(line.substr(4)));
        }
        return static_cast<uid_t>(-1);
    }

    std::string setpriv_;
    std::string user_;
    bool made_user_ = false;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    mode_t saved_umask_ = 022;
};

// As the unit's user, umask and directories, cardd serves two TCP terminals
// and an RS-485 bus (a loss reaches all three) and issues a card onto the
// simulated encoder; every file it made is its own, owner only.
TEST_P(UnitOptions, servesTerminalsTheBusAndTheEncoderAsItsOwnUser) {
    EXPECT_EQ(cardd_uid(), uid_);
    Sim& tcp1 = tcp_sim("a");
    Sim& tcp2 = tcp_sim("b");
    Sim& bus = rtu_sim("bus", {1});
    // The adapter's node is given to the user, as udev gives a ttyUSB to dialout.
    const fs::path pty = fs::canonical(bus_device());
    ASSERT_EQ(::chown(pty.c_str(), uid_, gid_), 0) << pty;
    add_tcp_terminal("tcp-1", tcp1);
    add_tcp_terminal("tcp-2", tcp2);
    add_rtu_terminal("rtu-1", 1);
    issue("E001", 1001, 5000);

    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(loss.at("pushed").size(), 3u) << loss.dump();
    EXPECT_TRUE(loss.at("failed").empty()) << loss.dump();
    expect_enforces(tcp1, 0, "tcp-1", {1001});
    expect_enforces(tcp2, 0, "tcp-2", {1001});
    expect_enforces(bus, 0, "rtu-1", {1001});

    expect_private_files(data_dir_, sqlite_file_);
    for (const fs::path& file : {sqlite_file_, data_dir_ / "master.key", data_dir_ / "encoder-desk.cards.d"}) {
        EXPECT_EQ(owner_of(file), uid_) << file;
    }
    for (const auto& card : fs::directory_iterator(data_dir_ / "encoder-desk.cards.d")) {
        EXPECT_EQ(owner_of(card.path()), uid_) << card.path();
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, UnitOptions, ::testing::Values(Backend::sqlite), backend_name);

}  // namespace
}  // namespace cardd::e2e
