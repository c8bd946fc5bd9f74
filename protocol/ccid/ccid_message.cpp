#include "protocol/ccid/ccid_message.hpp"
