#include "protocol/ccid/acr122_apdu.hpp"
