#include "dtap/fake.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "dtap/checksum.hpp"
#include "dtap/run.hpp"
#include "dtap/error.hpp"

namespace dtap {

std::vector<std::string> read_word_list(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read word list '" + path + "'");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

namespace {

WordLists load_word_lists(const std::string& first_names, const std::string& last_names) {
  WordLists l;
  l.first_names = read_word_list(data_path(first_names));
  l.last_names = read_word_list(data_path(last_names));
  l.streets = read_word_list(data_path("pii/streets.txt"));
  for (const auto& line : read_word_list(data_path("pii/cities.txt"))) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    if (f.size() != 4) throw Error("malformed line in pii/cities.txt: " + line);
    l.cities.push_back({f[0], f[1], f[2], f[3]});
  }
  return l;
}

}  // namespace

const WordLists& WordLists::shipped() {
  static const WordLists lists = load_word_lists("pii/first_names.txt", "pii/last_names.txt");
  return lists;
}

const WordLists& WordLists::heldout_names() {
  static const WordLists lists = load_word_lists("pii/names/heldout-first.txt", "pii/names/heldout-last.txt");
  return lists;
}

std::string Faker::digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(rng_.digit());
  return s;
}

std::string Faker::letters(int n, bool upper) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((upper ? 'A' : 'a') + rng_.uniform(0, 25)));
  return s;
}

std::string Faker::postcode(const std::string& pattern) {
  std::string s;
  for (char c : pattern) s.push_back(c == '9' ? rng_.digit() : c == 'A' ? letters(1, true)[0] : c);
  return s;
}

Person Faker::person() { return {rng_.pick(lists_.first_names), rng_.pick(lists_.last_names)}; }

static std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Faker::email(const Person& p) {
  static const std::vector<std::string> domains = {"gmail.com", "outlook.com", "yahoo.com", "proton.me",
                                                   "icloud.com", "mail.com", "hotmail.co.uk", "web.de",
                                                   "company.io", "fastmail.fm"};
  std::string f = lower(p.first), l = lower(p.last);
  std::string local;
  switch (rng_.uniform(0, 4)) {
    case 0: local = f + "." + l; break;
    case 1: local = f.substr(0, 1) + l; break;
    case 2: local = f + l.substr(0, 1) + digits(2); break;
    case 3: local = f + "_" + l + digits(rng_.uniform(1, 3)); break;
    default: local = l + "." + f; break;
  }
  return local + "@" + rng_.pick(domains);
}

std::string Faker::phone() {
  auto area = [&] { return std::to_string(rng_.uniform(2, 9)) + digits(2); };
  switch (rng_.uniform(0, 8)) {
    case 0: return "+1 (" + area() + ") " + area() + "-" + digits(4);
    case 1: return "(" + area() + ") " + area() + "-" + digits(4);
    case 2: return area() + "." + area() + "." + digits(4);
    case 3: return "+44 20 " + digits(4) + " " + digits(4);
    case 4: return "+44 7" + digits(3) + " " + digits(6);
    case 5: return "+49 30 " + digits(8);
    case 6: return "06 " + digits(2) + " " + digits(2) + " " + digits(2) + " " + digits(2);
    case 7: return "+33 6 " + digits(2) + " " + digits(2) + " " + digits(2) + " " + digits(2);
    default: return "+61 4" + digits(2) + " " + digits(3) + " " + digits(3);
  }
}

std::string Faker::street_address() {
  static const std::vector<std::string> types = {"Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane",
                                                 "Drive", "Dr", "Boulevard", "Blvd", "Way", "Court", "Place"};
  std::string s = std::to_string(rng_.uniform(1, 9899)) + " " + rng_.pick(lists_.streets) + " " + rng_.pick(types);
  int unit = rng_.uniform(0, 5);
  if (unit == 0) s += ", Apt " + std::to_string(rng_.uniform(1, 40)) + letters(1, true);
  if (unit == 1) s += ", Unit " + std::to_string(rng_.uniform(1, 300));
  return s;
}

std::string Faker::city_line() {
  const auto& c = rng_.pick(lists_.cities);
  std::string code = postcode(c.postcode_pattern);
  if (c.country == "US" || c.country == "CA" || c.country == "AU") return c.name + ", " + c.region + " " + code;
  if (c.country == "GB" || c.country == "IE") return c.name + " " + code;
  return code + " " + c.name;
}

std::string Faker::username(const Person& p) {
  std::string f = lower(p.first), l = lower(p.last);
  switch (rng_.uniform(0, 4)) {
    case 0: return "@" + f + "." + l;
    case 1: return "@" + f + "_" + l.substr(0, 1) + digits(2);
    case 2: return "@" + f + digits(rng_.uniform(2, 4));
    case 3: return "@" + l + "_" + f.substr(0, 1);
    default: return "@the" + f + l.substr(0, 2);
  }
}

std::string Faker::ipv4() {
  switch (rng_.uniform(0, 2)) {
    case 0: return "192.168." + std::to_string(rng_.uniform(0, 254)) + "." + std::to_string(rng_.uniform(2, 254));
    case 1: return "10." + std::to_string(rng_.uniform(0, 254)) + "." + std::to_string(rng_.uniform(0, 254)) + "." +
                   std::to_string(rng_.uniform(2, 254));
    default:
      return std::to_string(rng_.uniform(23, 223)) + "." + std::to_string(rng_.uniform(0, 255)) + "." +
             std::to_string(rng_.uniform(0, 255)) + "." + std::to_string(rng_.uniform(1, 254));
  }
}

std::string Faker::ipv6() {
  static const char* hex = "0123456789abcdef";
  std::string s = "2001:db8";
  for (int g = 0; g < 3; ++g) {
    s += ":";
    int n = rng_.uniform(1, 4);
    for (int i = 0; i < n; ++i) s.push_back(hex[rng_.uniform(i == 0 ? 1 : 0, 15)]);
  }
  s += "::" + std::to_string(rng_.uniform(1, 99));
  return s;
}

std::string Faker::card() {
  std::string body;
  int kind = rng_.uniform(0, 2);
  if (kind == 0) body = "4" + digits(14);                                   // Visa, 16
  else if (kind == 1) body = "5" + std::to_string(rng_.uniform(1, 5)) + digits(13);  // Mastercard, 16
  else body = "3" + std::string(rng_.chance(0.5) ? "4" : "7") + digits(12);        // Amex, 15
  std::string number = body + luhn_check_digit(body);
  std::string out;
  if (number.size() == 15) {
    out = number.substr(0, 4) + " " + number.substr(4, 6) + " " + number.substr(10);
  } else {
    for (std::size_t i = 0; i < number.size(); ++i) {
      if (i > 0 && i % 4 == 0) out.push_back(' ');
      out.push_back(number[i]);
    }
  }
  return out;
}

std::string Faker::iban() {
  switch (rng_.uniform(0, 3)) {
    case 0: return make_iban("DE", digits(18));
    case 1: return make_iban("GB", letters(4, true) + digits(14));
    case 2: return make_iban("FR", digits(10) + letters(1, true) + digits(10) + digits(2));
    default: return make_iban("NL", letters(4, true) + digits(10));
  }
}

std::string Faker::date_of_birth() {
  static const std::vector<std::string> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int d = rng_.uniform(1, 28), m = rng_.uniform(1, 12), y = rng_.uniform(1950, 2006);
  auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  switch (rng_.uniform(0, 3)) {
    case 0: return two(d) + "/" + two(m) + "/" + std::to_string(y);
    case 1: return two(m) + "/" + two(d) + "/" + std::to_string(y);
    case 2: return std::to_string(y) + "-" + two(m) + "-" + two(d);
    default: return months[m - 1] + " " + std::to_string(d) + ", " + std::to_string(y);
  }
}

std::string Faker::id_number() {
  switch (rng_.uniform(0, 3)) {
    case 0: return letters(1, true) + digits(8);                              // passport
    case 1: return digits(3) + "-" + digits(2) + "-" + digits(4);              // SSN-like
    case 2: return letters(2, true) + digits(6) + letters(1, true);           // national insurance
    default: return digits(4) + " " + digits(4) + " " + digits(4);             // account
  }
}

std::string Faker::order_number() {
  if (rng_.chance(0.5)) return digits(3) + "-" + digits(7) + "-" + digits(7);
  return "#" + letters(2, true) + digits(8);
}

std::string Faker::url_token() {
  static const std::vector<std::string> hosts = {"pay.example.com", "share.example.net", "login.example.org",
                                                 "track.example.io"};
  static const std::vector<std::string> keys = {"token", "session", "key", "auth"};
  static const char* alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string token;
  int n = rng_.uniform(10, 16);
  for (int i = 0; i < n; ++i) token.push_back(alnum[rng_.uniform(0, 35)]);
  return "https://" + rng_.pick(hosts) + "/r?" + rng_.pick(keys) + "=" + token;
}

std::pair<std::string, std::string> Faker::secret() {
  static const char* alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static const char* upper_digits = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  auto chars = [&](const char* set, int n) {
    std::string out;
    const int size = static_cast<int>(std::string_view(set).size());
    for (int i = 0; i < n; ++i) out.push_back(set[rng_.uniform(0, size - 1)]);
    return out;
  };
  switch (rng_.uniform(0, 4)) {
    case 0: return {"API key", "sk-" + chars(alnum, rng_.uniform(20, 28))};
    case 1: return {"Access token", "ghp_" + chars(alnum, 24)};
    case 2: return {"Access key ID", "AKIA" + chars(upper_digits, 16)};
    case 3: return {"Recovery code", chars(upper_digits, 4) + "-" + chars(upper_digits, 4) + "-" + chars(upper_digits, 4)};
    default: return {"Password", chars(alnum, rng_.uniform(6, 9)) + rng_.pick(std::vector<std::string>{"!", "#", "$", "?"}) + digits(2)};
  }
}

std::string Faker::amount() {
  static const std::vector<std::string> cur = {"$", "€", "£"};
  int whole = rng_.uniform(3, 2400);
  std::string w = std::to_string(whole);
  if (whole >= 1000) w = w.substr(0, w.size() - 3) + "," + w.substr(w.size() - 3);
  return rng_.pick(cur) + w + "." + digits(2);
}

std::string Faker::time_of_day() {
  int h = rng_.uniform(0, 23), m = rng_.uniform(0, 59);
  return std::to_string(h) + ":" + (m < 10 ? "0" : "") + std::to_string(m);
}

}  // namespace dtap
