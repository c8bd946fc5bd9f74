// The control server as cardd runs it: one io thread serving a real Unix
// socket, handlers that hand their work to a worker pool and resume on the
// io thread, and many clients at once, some of them broken. Every good
// request is answered once with its own id, every broken one gets result 6,
// and the work done is exactly what was asked. Run under ThreadSanitizer by
// scripts/sanitizers.sh, it is the check that the server, the registry and
// the pool share nothing without a lock.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/async/worker_pool.hpp"
#include "daemon/control/arguments.hpp"
#include "daemon/control/control_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::daemon {
namespace {

using boost::asio::awaitable;
using nlohmann::json;
using namespace std::chrono_literals;

struct AddArgs {
    std::int64_t amount = 0;
};

AddArgs parse_add(const json& a) {
    args::only(a, {"amount"});
    return {args::required_int(a, "amount")};
}

// A client on its own connection: one line out, one line back.
class Client {
public:
    explicit Client(const std::filesystem::path& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connected() const { return connected_; }

    void send(const std::string& text) {
        std::size_t sent = 0;
        while (sent < text.size()) {
            const ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }

    /// The next line, or nothing when the server closed the connection.
    std::optional<std::string> line() {
        for (;;) {
            if (const auto end = buffer_.find('\n'); end != std::string::npos) {
                std::string out = buffer_.substr(0, end);
                buffer_.erase(0, end + 1);
                return out;
            }
            char chunk[4096];
            const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
            if (n <= 0) return std::nullopt;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    json ask(const std::string& request) {
        send(request + "\n");
        const auto answer = line();
        return answer ? json::parse(*answer, nullptr, false) : json();
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

class ControlServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        registry_.add("add", Role::issuer, parse_add,
                      TypedHandler<AddArgs>([this](Request&, const AddArgs& arguments) -> awaitable<Answer> {
                          // As cardd's handlers do with a terminal or the encoder: the
                          // work runs on the pool, the answer is made on the io thread.
                          const std::int64_t total =
                              co_await async::WorkerPool::run(pool_.executor(), [this, amount = arguments.amount] {
                                  const std::lock_guard lock(mutex_);
                                  total_ += amount;
                                  return total_;
                              });
                          ++answered_on_io_;
                          co_return Answer::ok("added", {{"total", total}});
                      }));
        server_.emplace(io_, dir_.path() / "control.sock", registry_, RoleGroups{"no-such-admin", "", ""},
                        ControlLimits{4096, 500ms, ""});
        server_->start();
        io_thread_ = std::thread([this] { io_.run(); });
    }

    void TearDown() override {
        boost::asio::post(io_, [this] { server_->stop(); });
        work_.reset();
        io_.stop();
        io_thread_.join();
        pool_.stop();
    }

    std::filesystem::path socket() const { return dir_.path() / "control.sock"; }

    cardd::test::TempDir dir_;
    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
        boost::asio::make_work_guard(io_)};
    async::WorkerPool pool_{4};
    CommandRegistry registry_;
    std::optional<ControlServer> server_;
    std::thread io_thread_;
    std::mutex mutex_;
    std::int64_t total_ = 0;           // guarded by mutex_
    std::int64_t answered_on_io_ = 0;  // the io thread's alone
};

// Eight clients at once, each with 40 requests on one connection: good ones,
// malformed ones, duplicated keys and unknown commands interleaved. Each
// answer carries its request's id; only the good ones did work, once each.
TEST_F(ControlServerTest, manyClientsAtOnceAreEachAnsweredInTurn) {
    ASSERT_EQ(::getuid(), 0u) << "the caller must be root (admin) for this test";
    constexpr int clients = 8;
    constexpr int requests = 40;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            Client client(socket());
            if (!client.connected()) {
                ++wrong;
                return;
            }
            for (int r = 0; r < requests; ++r) {
                const int id = c * 1000 + r;
                json answer;
                int expected = 0;
                // A line refused as a whole has no id to echo: it was never read.
                json expected_id = id;
                switch (r % 4) {
                    case 0:
                    case 1:
                        answer =
                            client.ask(json({{"command", "add"}, {"arguments", {{"amount", 1}}}, {"id", id}}).dump());
                        break;
                    case 2:
                        answer = client.ask(R"({"command":"add","command":"add","arguments":{"amount":1000},"id":)" +
                                            std::to_string(id) + "}");
                        expected = 6;
                        expected_id = nullptr;
                        break;
                    default: answer = client.ask(json({{"command", "no-such"}, {"id", id}}).dump()); expected = 2;
                }
                if (!answer.is_object() || answer.value("result", -1) != expected || answer["id"] != expected_id)
                    ++wrong;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong.load(), 0);
    // Read on the io thread, where it is written.
    std::promise<std::int64_t> io_count;
    boost::asio::post(io_, [&] { io_count.set_value(answered_on_io_); });
    EXPECT_EQ(io_count.get_future().get(), clients * requests / 2);
    const std::lock_guard lock(mutex_);
    EXPECT_EQ(total_, clients * requests / 2);
}

// A client that sends half a line and waits, one that sends a line past the
// limit, and one that hangs up mid-request: each is dropped on its own, and
// a client beside them is served all the while.
TEST_F(ControlServerTest, brokenClientsAreDroppedWhileOthersAreServed) {
    Client silent(socket());
    silent.send(R"({"command":"add",)");
    Client huge(socket());
    huge.send(std::string(8192, 'x') + "\n");
    {
        Client gone(socket());
        gone.send(json({{"command", "add"}, {"arguments", {{"amount", 5}}}, {"id", 1}}).dump() + "\n");
    }
    Client good(socket());
    for (int i = 0; i < 20; ++i) {
        const json answer = good.ask(json({{"command", "add"}, {"arguments", {{"amount", 1}}}, {"id", i}}).dump());
        ASSERT_EQ(answer.value("result", -1), 0) << answer.dump();
    }
    const auto refused = huge.line();
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(json::parse(*refused).value("result", -1), 6);
    EXPECT_FALSE(huge.line().has_value()) << "a line past the limit closes the connection";
    EXPECT_FALSE(silent.line().has_value()) << "half a line is dropped after the idle time";
}

}  // namespace
}  // namespace cardd::daemon
