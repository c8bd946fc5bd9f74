#pragma once
// A stand-in for cardd's socket in the console's unit tests: it records each
// request and answers what the test scripted, with progress lines first.

#include <deque>
#include <vector>

#include "tools/console/cardd_client.hpp"

namespace cardd::console::testing {

struct ScriptedAnswer {
    std::vector<nlohmann::json> progress;
    BackendAnswer answer;
};

class ScriptedBackend final : public Backend {
public:
    void will_answer(nlohmann::json answer, std::vector<nlohmann::json> progress = {}) {
        script_.push_back({std::move(progress), std::move(answer)});
    }
    void will_fail(std::string why) { script_.push_back({{}, std::unexpected(std::move(why))}); }

    boost::asio::awaitable<BackendAnswer> call(nlohmann::json request, ProgressFn progress) override {
        requests.push_back(request);
        if (script_.empty()) co_return std::unexpected(std::string("nothing scripted"));
        ScriptedAnswer next = std::move(script_.front());
        script_.pop_front();
        for (const auto& line : next.progress) {
            if (progress) co_await progress(line);
        }
        co_return next.answer;
    }

    std::vector<nlohmann::json> requests;

private:
    std::deque<ScriptedAnswer> script_;
};

}  // namespace cardd::console::testing
