#include "tools/termsim/modbus_exception.hpp"

namespace cardd::termsim {

std::string_view to_string(ModbusException exception) noexcept {
    switch (exception) {
        case ModbusException::illegal_function: return "ILLEGAL FUNCTION";
        case ModbusException::illegal_data_address: return "ILLEGAL DATA ADDRESS";
        case ModbusException::illegal_data_value: return "ILLEGAL DATA VALUE";
    }
    return "UNKNOWN EXCEPTION";
}

}  // namespace cardd::termsim
