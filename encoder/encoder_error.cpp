#include "encoder/encoder_error.hpp"
