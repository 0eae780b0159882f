#include "dtap/checksum.hpp"

#include <cctype>

namespace dtap {

std::string digits_only(std::string_view text) {
  std::string out;
  for (char c : text)
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

namespace {
int luhn_sum(std::string_view digits, bool double_first) {
  int sum = 0;
  bool dbl = double_first;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum;
}

// Remainder of the IBAN's rearranged number modulo 97, or -1 if malformed.
int iban_mod97(const std::string& compact) {
  if (compact.size() < 5) return -1;
  std::string rearranged = compact.substr(4) + compact.substr(0, 4);
  int rem = 0;
  for (char c : rearranged) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (std::isupper(static_cast<unsigned char>(c))) {
      int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return -1;
    }
  }
  return rem;
}
}  // namespace

bool luhn_valid(std::string_view text) {
  std::string d = digits_only(text);
  if (d.size() < 12 || d.size() > 19) return false;
  return luhn_sum(d, false) % 10 == 0;
}

char luhn_check_digit(std::string_view digits_without_check) {
  int sum = luhn_sum(digits_without_check, true);
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool iban_valid(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c == ' ') continue;
    compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (compact.size() < 15 || compact.size() > 34) return false;
  if (!std::isupper(static_cast<unsigned char>(compact[0])) || !std::isupper(static_cast<unsigned char>(compact[1])) ||
      !std::isdigit(static_cast<unsigned char>(compact[2])) || !std::isdigit(static_cast<unsigned char>(compact[3])))
    return false;
  return iban_mod97(compact) == 1;
}

std::string make_iban(const std::string& country, const std::string& bban) {
  int rem = iban_mod97(country + "00" + bban);
  int check = 98 - rem;
  std::string compact = country + (check < 10 ? "0" : "") + std::to_string(check) + bban;
  std::string grouped;
  for (std::size_t i = 0; i < compact.size(); ++i) {
    if (i > 0 && i % 4 == 0) grouped.push_back(' ');
    grouped.push_back(compact[i]);
  }
  return grouped;
}

}  // namespace dtap
