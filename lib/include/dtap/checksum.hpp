// Check digits of payment cards (Luhn) and IBANs (ISO 13616 mod 97).
#pragma once
#include <string>
#include <string_view>

namespace dtap {

std::string digits_only(std::string_view text);
// True when the digits of `text` (separators ignored) pass the Luhn check.
bool luhn_valid(std::string_view text);
// The digit that makes `digits_without_check` + digit Luhn-valid.
char luhn_check_digit(std::string_view digits_without_check);
// True for a well-formed IBAN (spaces ignored, country letters, mod 97 == 1).
bool iban_valid(std::string_view text);
// Builds a valid IBAN (grouped by 4) from a country code and a BBAN.
std::string make_iban(const std::string& country, const std::string& bban);

}  // namespace dtap
