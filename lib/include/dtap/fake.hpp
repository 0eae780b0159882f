// Fake personal data for synthetic screens: realistic formats, valid check digits.
#pragma once
#include <string>
#include <vector>

#include "dtap/rng.hpp"

namespace dtap {

// Word lists shipped in share/dtap/pii (names, streets, cities).
struct WordLists {
  std::vector<std::string> first_names, last_names, streets;
  struct City {
    std::string name, region, postcode_pattern, country;
  };
  std::vector<City> cities;
  // Loaded once from data_dir()/pii; throws dtap::Error when missing.
  static const WordLists& shipped();
  // The same, with names from pii/names/heldout-*.txt: names that
  // dtap-annotate's lists never hold (dtap-synth --names heldout).
  static const WordLists& heldout_names();
};

// Reads a one-item-per-line list, skipping blank lines and '#' comments.
std::vector<std::string> read_word_list(const std::string& path);

struct Person {
  std::string first, last;
  std::string full() const { return first + " " + last; }
};

class Faker {
 public:
  Faker(Rng& rng, const WordLists& lists) : rng_(rng), lists_(lists) {}
  Person person();
  std::string email(const Person& p);
  std::string phone();             // several national formats
  std::string street_address();    // "1427 Oak Street, Apt 3B"
  std::string city_line();         // "Portland, OR 97205"
  std::string username(const Person& p);  // "@ana.li92"
  std::string ipv4();
  std::string ipv6();
  std::string card();              // Luhn-valid, grouped
  std::string iban();              // mod-97-valid, grouped
  std::string date_of_birth();     // several formats
  std::string id_number();         // passport / national id / account
  std::string order_number();
  std::string url_token();         // https://... ?token=...
  // A secret shown on an account screen, and the label that goes over it:
  // API keys with a vendor prefix, access tokens, recovery codes, passwords.
  std::pair<std::string, std::string> secret();  // {field label, value}
  std::string amount();            // "$1,204.50"
  std::string time_of_day();       // "9:41", "14:05"

 private:
  std::string digits(int n);
  std::string letters(int n, bool upper);
  std::string postcode(const std::string& pattern);
  Rng& rng_;
  const WordLists& lists_;
};

}  // namespace dtap
