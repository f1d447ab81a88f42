#include "peft/config_field_reader.h"

namespace capsule::peft {

std::string jsonTypeName(const OrderedJson& value) {
    return value.is_number_integer() ? "integer" : value.type_name();
}

}  // namespace capsule::peft
