#pragma once
// A running card-termsim reached over Modbus TCP or over RTU on a socat
// pseudo-terminal pair, with libmodbus as the master and the control socket
// open. Each test gets a fresh terminal: serial 7, capacity 100, bitmap
// limit 500000 (the conformance check's settings).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"
#include "tests/termsim/modbus_client.hpp"
#include "tests/support/process.hpp"

namespace cardd::termsim::test {

using namespace std::chrono_literals;

enum class Transport { tcp, rtu };

inline std::string transport_name(const ::testing::TestParamInfo<Transport>& info) {
    return info.param == Transport::tcp ? "tcp" : "rtu";
}

class LiveTerminal : public ::testing::TestWithParam<Transport> {
protected:
    void SetUp() override {
        std::vector<std::string> flags{"--serial", "7",         "--capacity",   "100",    "--bitmap-limit",
                                       "500000",   "--control", control_path(), "--seed", "1"};
        if (GetParam() == Transport::rtu) {
            pty_.emplace(dir_.path());
            flags.insert(flags.end(), {"--rtu", pty_->a(), "--baud", "19200", "--unit", "1"});
        } else {
            flags.insert(flags.end(), {"--tcp", "127.0.0.1:0"});
        }
        sim_ = std::make_unique<cardd::test::Termsim>(CARDD_TERMSIM_PATH, flags, dir_.path());
        client_ = std::make_unique<ModbusClient>(GetParam() == Transport::rtu ? ModbusClient::rtu(pty_->b(), 1)
                                                                              : ModbusClient::tcp(sim_->port()));
        control_ = std::make_unique<cardd::test::LineClient>(control_path());
    }

    std::string control_path() const { return (dir_.path() / "control.sock").string(); }
    /// The errno a spoiled frame gives libmodbus on this transport.
    int corrupt_errno() const { return GetParam() == Transport::rtu ? EMBBADCRC : EMBBADDATA; }

    cardd::test::TempDir dir_;
    std::optional<cardd::test::PtyPair> pty_;
    std::unique_ptr<cardd::test::Termsim> sim_;
    std::unique_ptr<ModbusClient> client_;
    std::unique_ptr<cardd::test::LineClient> control_;
};

}  // namespace cardd::termsim::test
