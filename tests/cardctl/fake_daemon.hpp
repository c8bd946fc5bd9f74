#pragma once
// A stand-in for cardd in tests: a real Unix socket, one connection, which
// reads one request line and answers with scripted bytes, pauses between them
// so that the client sees partial lines, several lines in one read, or silence.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cardd::cardctl::testing {

class FakeDaemon {
public:
    struct Step {
        std::string bytes;
        std::chrono::milliseconds pause{0};  ///< before sending the bytes
    };

    /// Serves `steps` to the first connection, then closes it unless `hold_open`.
    explicit FakeDaemon(std::vector<Step> steps, bool hold_open = false);
    ~FakeDaemon();
    FakeDaemon(const FakeDaemon&) = delete;
    FakeDaemon& operator=(const FakeDaemon&) = delete;

    const std::string& path() const noexcept { return path_; }

    /// Stops serving and waits for the server thread; then the accessors below are final.
    void stop();
    std::string request_line();  ///< the line received, without its '\n'
    int connections();

private:
    void serve();

    std::string dir_;
    std::string path_;
    int listen_fd_ = -1;
    std::vector<Step> steps_;
    bool hold_open_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::string request_;
    int connections_ = 0;
    std::thread thread_;
};

}  // namespace cardd::cardctl::testing
