#pragma once
// libmodbus contexts owned by std::unique_ptr: closed and freed together.

#include <modbus/modbus.h>

#include <memory>

namespace cardd::termsim {

struct ModbusDeleter {
    void operator()(modbus_t* ctx) const noexcept {
        modbus_close(ctx);
        modbus_free(ctx);
    }
};

using ModbusPtr = std::unique_ptr<modbus_t, ModbusDeleter>;

}  // namespace cardd::termsim
