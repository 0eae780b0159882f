#include "dtap/synth.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"
#include "dtap/fake.hpp"
#include "dtap/image.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/log.hpp"
#include "synth_render.hpp"

namespace fs = std::filesystem;

namespace dtap {
namespace {

using synth::Painter;
using synth::Segment;
using synth::Weight;

struct Action {
  std::string label, question;
};

std::string initials(const Person& p) { return std::string(1, p.first[0]) + std::string(1, p.last[0]); }

cv::Scalar accent_colour(Rng& rng, bool dark) {
  // BGR accents of common apps: blue, green, purple, orange, teal, red.
  static const std::vector<cv::Scalar> light = {{210, 118, 25}, {80, 160, 40},  {176, 39, 156},
                                                {0, 110, 230},  {136, 150, 0},  {54, 67, 220}};
  static const std::vector<cv::Scalar> dark_ = {{250, 180, 110}, {130, 210, 120}, {220, 150, 210},
                                                {90, 180, 255},  {200, 210, 100}, {130, 140, 250}};
  return rng.pick(dark ? dark_ : light);
}

synth::Theme make_theme(Rng& rng, bool dark) {
  synth::Theme t;
  t.dark = dark;
  t.accent = accent_colour(rng, dark);
  if (dark) {
    t.bg = {18, 18, 18}; t.surface = {32, 30, 30}; t.text = {238, 238, 238}; t.text2 = {168, 168, 168};
    t.divider = {64, 62, 62}; t.on_accent = {18, 18, 18}; t.bubble_in = {52, 48, 48}; t.field = {48, 45, 45};
    t.bubble_out = t.accent * 0.45;
  } else {
    t.bg = {250, 250, 250}; t.surface = {255, 255, 255}; t.text = {33, 33, 33}; t.text2 = {112, 112, 112};
    t.divider = {226, 226, 226}; t.on_accent = {255, 255, 255}; t.bubble_in = {236, 236, 236};
    t.field = {238, 238, 240};
    t.bubble_out = t.accent * 0.18 + cv::Scalar(255, 255, 255) * 0.82;
  }
  return t;
}

// Context shared by the templates.
struct Ctx {
  Painter& p;
  Faker& f;
  Rng& rng;
  int top;     // y below the app bar
  int bottom;  // y above the tab bar / bottom area
  int margin;
  Person partner;  // the person a chat screen is with (named in its app bar)
};

// A label over a value (profile, booking, transfer screens).
int field(Ctx& c, int y, const std::string& label, const std::string& value, const std::string& pii_label) {
  Painter& p = c.p;
  p.text(label, c.margin, y, 12, p.theme.text2, Weight::regular, "label");
  p.text(value, c.margin, y + p.px(19), 16, p.theme.text, Weight::regular, pii_label.empty() ? "value" : "pii",
         pii_label, p.width() - 2 * c.margin);
  int below = y + p.px(48);
  p.divider(below, c.margin);
  return below + p.px(12);
}

int actions_row(Ctx& c, int y, const std::vector<Action>& actions, bool first_filled) {
  Painter& p = c.p;
  int n = static_cast<int>(actions.size());
  int gap = p.px(10);
  int w = (p.width() - 2 * c.margin - gap * (n - 1)) / n;
  for (int i = 0; i < n; ++i)
    p.button(actions[i].label, actions[i].question, c.margin + i * (w + gap), y, w, p.px(44), first_filled && i == 0);
  return y + p.px(60);
}

using TabList = std::vector<std::pair<std::string, std::string>>;

// Tabs with questions for `count` of those that have one (the rest are plain labels).
TabList tabs_with_tasks(Rng& rng, const std::vector<Action>& tabs, int count) {
  TabList out;
  std::vector<int> idx;
  for (std::size_t i = 0; i < tabs.size(); ++i)
    if (!tabs[i].question.empty()) idx.push_back(static_cast<int>(i));
  rng.shuffle(idx);
  count = std::min<int>(count, static_cast<int>(idx.size()));
  std::set<int> chosen(idx.begin(), idx.begin() + count);
  for (std::size_t i = 0; i < tabs.size(); ++i)
    out.push_back({tabs[i].label, chosen.count(static_cast<int>(i)) ? tabs[i].question : ""});
  return out;
}

void tpl_contacts(Ctx& c) {
  Painter& p = c.p;
  int y = c.top + p.px(8);
  p.fill_rounded({c.margin, y, p.width() - 2 * c.margin, p.px(44)}, p.px(22), p.theme.field);
  p.icon(1, c.margin + p.px(14), y + p.px(12), p.px(20), p.theme.text2);
  p.text("Search contacts", c.margin + p.px(46), y + p.px(12), 15, p.theme.text2, Weight::regular, "hint");
  y += p.px(60);
  int rows = c.rng.uniform(3, 5);
  int phones = c.rng.uniform(1, std::min(3, 8 - rows));
  for (int i = 0; i < rows && y < c.bottom - p.px(140); ++i) {
    Person person = c.f.person();
    p.avatar(initials(person), c.margin + p.px(22), y + p.px(24), p.px(22), accent_colour(c.rng, p.theme.dark));
    p.text(person.full(), c.margin + p.px(60), y + p.px(6), 16, p.theme.text, Weight::regular, "pii", "name");
    if (i < phones)
      p.text(c.f.phone(), c.margin + p.px(60), y + p.px(28), 14, p.theme.text2, Weight::regular, "pii", "phone");
    else
      p.text(c.rng.chance(0.5) ? "Mobile" : "Work", c.margin + p.px(60), y + p.px(28), 14, p.theme.text2,
             Weight::regular, "body");
    y += p.px(64);
  }
  p.button("New contact", "To add a new contact on this screen, what should you tap?", p.width() - c.margin - p.px(150),
           c.bottom - p.px(64), p.px(150), p.px(48), true);
  p.tab_bar(tabs_with_tasks(c.rng,
                            {{"Favorites", "To see your favourite contacts, what should you tap?"},
                             {"Recents", "To see your recent calls, what should you tap?"},
                             {"Contacts", ""},
                             {"Keypad", "To dial a number by hand, what should you tap?"}},
                            2),
            2, c.rng);
}

void tpl_chat(Ctx& c) {
  Painter& p = c.p;
  const Person& friend_ = c.partner;
  int y = c.top + p.px(12);
  p.text("Today", p.width() / 2 - p.px(20), y, 12, p.theme.text2, Weight::regular, "label");
  y += p.px(30);
  auto bubble = [&](bool out, const std::vector<Segment>& segs) {
    int maxw = p.width() * 7 / 10;
    int x = out ? p.width() - c.margin - maxw : c.margin;
    // Measure with a dry estimate of lines: draw text after the bubble background.
    int total = 0;
    for (const auto& s : segs) total += p.text_width(s.text, 15, Weight::regular) + p.px(5);
    int lines = total / (maxw - p.px(24)) + 1;
    int w = lines > 1 ? maxw : total + p.px(24);
    if (out) x = p.width() - c.margin - w;
    int h = lines * p.px(15 * 1.45) + p.px(18);
    p.fill_rounded({x, y, w, h}, p.px(16), out ? p.theme.bubble_out : p.theme.bubble_in);
    p.line(segs, x + p.px(12), y + p.px(8), 15, p.theme.text, Weight::regular, "body", w - p.px(24));
    y += h + p.px(10);
  };
  bubble(false, {{"Hi! My new number is", ""}, {c.f.phone(), "phone"}});
  bubble(true, {{"Thanks", ""}, {friend_.first, "name"}, {"- where should I send the parcel?", ""}});
  bubble(false, {{c.f.street_address(), "address"}});
  if (c.rng.chance(0.6)) bubble(false, {{"or e-mail me at", ""}, {c.f.email(friend_), "email"}});
  if (c.rng.chance(0.5)) bubble(true, {{"Got it, see you at", ""}, {c.f.time_of_day(), ""}});
  int chips_y = c.bottom - p.px(100);
  int x = c.margin;
  for (const Action& a : std::vector<Action>{{"Photo", "To share a picture in this chat, what should you tap?"},
                                             {"Location", "To share where you are, what should you tap?"}})
    x = static_cast<int>(p.chip(a.label, a.question, x, chips_y).right()) + p.px(8);
  int iy = c.bottom - p.px(54);
  p.fill_rounded({c.margin, iy, p.width() - 2 * c.margin - p.px(92), p.px(44)}, p.px(22), p.theme.field);
  p.text("Message", c.margin + p.px(16), iy + p.px(12), 15, p.theme.text2, Weight::regular, "hint");
  p.button("Send", "To send your message, what should you tap?", p.width() - c.margin - p.px(84), iy, p.px(84),
           p.px(44), true);
}

void tpl_email(Ctx& c) {
  Painter& p = c.p;
  int y = c.top + p.px(6);
  p.text("Primary", c.margin, y, 14, p.theme.accent, Weight::medium, "label");
  y += p.px(30);
  static const std::vector<std::string> subjects = {
      "Your invoice is ready", "Re: Weekend plans", "Meeting notes", "Password changed", "Trip itinerary",
      "Welcome aboard!", "Quarterly report", "Dinner on Friday?", "Photos from the party", "Account update"};
  int rows = c.rng.uniform(3, 4);
  int emails = c.rng.uniform(1, std::min(2, 8 - rows));
  for (int i = 0; i < rows; ++i) {
    Person s = c.f.person();
    p.avatar(initials(s), c.margin + p.px(20), y + p.px(22), p.px(20), accent_colour(c.rng, p.theme.dark));
    int x = c.margin + p.px(52);
    p.text(s.full(), x, y, 15, p.theme.text, Weight::bold, "pii", "name", p.width() - x - p.px(70));
    std::string when = c.f.time_of_day();
    p.text(when, p.width() - c.margin - p.text_width(when, 12, Weight::regular), y + p.px(2), 12, p.theme.text2,
           Weight::regular, "label");
    p.text(c.rng.pick(subjects), x, y + p.px(22), 14, p.theme.text, Weight::regular, "body", "",
           p.width() - x - c.margin);
    if (i < emails)
      p.text(c.f.email(s), x, y + p.px(42), 13, p.theme.text2, Weight::regular, "pii", "email", p.width() - x - c.margin);
    else
      p.text("See you then, thanks again", x, y + p.px(42), 13, p.theme.text2, Weight::regular, "body");
    y += p.px(78);
  }
  p.button("Compose", "To write a new e-mail, what should you tap?", p.width() - c.margin - p.px(140),
           c.bottom - p.px(64), p.px(140), p.px(48), true);
  p.tab_bar(tabs_with_tasks(c.rng,
                            {{"Mail", ""}, {"Chat", "To open your chats, what should you tap?"},
                             {"Meet", "To start a video meeting, what should you tap?"}},
                            1),
            0, c.rng);
}

void tpl_profile(Ctx& c) {
  Painter& p = c.p;
  Person me = c.f.person();
  int y = c.top + p.px(16);
  p.avatar(initials(me), p.width() / 2, y + p.px(40), p.px(40), p.theme.accent);
  y += p.px(90);
  std::string change = "Change photo";
  p.button(change, "To use a different profile picture, what should you tap?",
           p.width() / 2 - p.px(80), y, p.px(160), p.px(36), false);
  y += p.px(52);
  y = field(c, y, "Name", me.full(), "name");
  y = field(c, y, "Username", c.f.username(me).substr(1), "username");
  y = field(c, y, "Email", c.f.email(me), "email");
  y = field(c, y, "Phone", c.f.phone(), "phone");
  if (c.rng.chance(0.7)) y = field(c, y, "Date of birth", c.f.date_of_birth(), "date_of_birth");
  if (c.rng.chance(0.7)) y = field(c, y, "Address", c.f.street_address(), "address");
  actions_row(c, std::max(y + p.px(8), c.bottom - p.px(60)),
              {{"Save changes", "To keep the edits you made to your profile, what should you tap?"},
               {"Cancel", "To leave without saving your edits, what should you tap?"}},
              true);
}

void tpl_shop(Ctx& c) {
  Painter& p = c.p;
  Person me = c.f.person();
  int y = c.top + p.px(14);
  p.text("Order", c.margin, y, 14, p.theme.text2, Weight::regular, "label");
  p.text(c.f.order_number(), c.margin + p.px(52), y, 14, p.theme.text, Weight::medium, "pii", "id_number");
  y += p.px(30);
  static const std::vector<std::string> items = {"Wireless earbuds", "USB-C charger 30W", "Running shoes",
                                                 "Coffee grinder", "Phone case", "Desk lamp", "Water bottle",
                                                 "Backpack 20L", "Yoga mat", "Paperback novel"};
  for (int i = 0; i < c.rng.uniform(2, 3); ++i) {
    p.fill_rounded({c.margin, y, p.px(56), p.px(56)}, p.px(8), p.theme.field);
    p.text(c.rng.pick(items), c.margin + p.px(70), y + p.px(6), 15, p.theme.text, Weight::regular, "body");
    p.text("Qty " + std::to_string(c.rng.uniform(1, 3)) + "  " + c.f.amount(), c.margin + p.px(70), y + p.px(30), 13,
           p.theme.text2, Weight::regular, "body");
    y += p.px(72);
  }
  p.divider(y);
  y += p.px(14);
  p.text("Shipping to", c.margin, y, 14, p.theme.text2, Weight::regular, "label");
  y += p.px(24);
  p.text(me.full(), c.margin, y, 16, p.theme.text, Weight::medium, "pii", "name");
  y += p.px(26);
  p.text(c.f.street_address(), c.margin, y, 15, p.theme.text, Weight::regular, "pii", "address",
         p.width() - 2 * c.margin);
  y += p.px(24);
  p.text(c.f.city_line(), c.margin, y, 15, p.theme.text, Weight::regular, "pii", "address");
  y += p.px(34);
  p.text("Payment", c.margin, y, 14, p.theme.text2, Weight::regular, "label");
  y += p.px(24);
  p.text(c.f.card(), c.margin, y, 15, p.theme.text, Weight::regular, "pii", "card");
  y += p.px(44);
  std::vector<Action> acts = {{"Track package", "To see where your parcel is, what should you tap?"},
                              {"Buy again", "To order the same items again, what should you tap?"},
                              {"Return items", "To send the items back, what should you tap?"}};
  c.rng.shuffle(acts);
  acts.resize(2);
  actions_row(c, std::max(y, c.bottom - p.px(64)), acts, true);
}

void tpl_booking(Ctx& c) {
  Painter& p = c.p;
  Person guest = c.f.person();
  int y = c.top + p.px(16);
  p.text("Booking confirmed", c.margin, y, 22, p.theme.text, Weight::bold, "title");
  y += p.px(38);
  static const std::vector<std::string> hotels = {"Harbour View Hotel", "The Grand Plaza", "Maple Lodge",
                                                  "Seaside Suites", "City Central Inn", "Alpine Retreat"};
  p.text(c.rng.pick(hotels), c.margin, y, 16, p.theme.text, Weight::medium, "body");
  y += p.px(26);
  p.text("Check-in Fri 12 Jun  -  Check-out Sun 14 Jun", c.margin, y, 13, p.theme.text2, Weight::regular, "body",
         "", p.width() - 2 * c.margin);
  y += p.px(36);
  y = field(c, y, "Confirmation code", c.f.id_number(), "id_number");
  y = field(c, y, "Guest", guest.full(), "name");
  y = field(c, y, "Email", c.f.email(guest), "email");
  if (c.rng.chance(0.7)) y = field(c, y, "Phone", c.f.phone(), "phone");
  actions_row(c, std::max(y + p.px(8), c.bottom - p.px(124)),
              {{"Manage booking", "To change or cancel your reservation, what should you tap?"},
               {"Directions", "To find the way to the hotel, what should you tap?"}},
              true);
  p.button("Contact property", "To message the hotel, what should you tap?", c.margin, c.bottom - p.px(60),
           p.width() - 2 * c.margin, p.px(44), false);
}

void tpl_bank(Ctx& c) {
  Painter& p = c.p;
  Person to = c.f.person();
  int y = c.top + p.px(14);
  y = field(c, y, "From account", c.f.id_number(), "id_number");
  y = field(c, y, "Recipient", to.full(), "name");
  y = field(c, y, "IBAN", c.f.iban(), "iban");
  p.text("Amount", c.margin, y, 12, p.theme.text2, Weight::regular, "label");
  p.text(c.f.amount(), c.margin, y + p.px(20), 28, p.theme.text, Weight::bold, "value");
  y += p.px(70);
  y = field(c, y, "Reference", c.rng.chance(0.5) ? "Rent June" : "Invoice " + std::to_string(c.rng.uniform(100, 999)),
            "");
  actions_row(c, std::max(y + p.px(8), c.bottom - p.px(60)),
              {{"Continue", "To go on with this transfer, what should you tap?"},
               {"Cancel", "To stop this transfer, what should you tap?"}},
              true);
  p.tab_bar(tabs_with_tasks(c.rng,
                            {{"Home", ""}, {"Payments", ""}, {"Cards", "To manage your cards, what should you tap?"},
                             {"More", "To see more options, what should you tap?"}},
                            1),
            1, c.rng);
}

void tpl_settings(Ctx& c) {
  Painter& p = c.p;
  Person me = c.f.person();
  int y = c.top + p.px(16);
  p.avatar(initials(me), c.margin + p.px(30), y + p.px(30), p.px(30), p.theme.accent);
  p.text(me.full(), c.margin + p.px(76), y + p.px(6), 18, p.theme.text, Weight::medium, "pii", "name");
  p.text(c.f.email(me), c.margin + p.px(76), y + p.px(34), 14, p.theme.text2, Weight::regular, "pii", "email",
         p.width() - c.margin * 2 - p.px(76));
  y += p.px(84);
  p.divider(y);
  y += p.px(12);
  if (c.rng.chance(0.7)) y = field(c, y, "Phone", c.f.phone(), "phone");
  if (c.rng.chance(0.6)) y = field(c, y, "Username", c.f.username(me), "username");
  if (c.rng.chance(0.4)) {
    auto [label, value] = c.f.secret();
    y = field(c, y, label, value, "secret");
  }
  p.text("Last sign-in from", c.margin, y, 12, p.theme.text2, Weight::regular, "label");
  p.text(c.rng.chance(0.8) ? c.f.ipv4() : c.f.ipv6(), c.margin, y + p.px(19), 15, p.theme.text, Weight::regular,
         "pii", "ip");
  y += p.px(56);
  std::vector<Action> menu = {{"Privacy", "To change who can see your information, what should you tap?"},
                              {"Security", "To change your password, what should you tap?"},
                              {"Notifications", "To turn alerts on or off, what should you tap?"},
                              {"Language", "To change the app's language, what should you tap?"},
                              {"Help", "To get support, what should you tap?"}};
  c.rng.shuffle(menu);
  for (int i = 0; i < 3; ++i) {
    p.icon(c.rng.uniform(0, 5), c.margin, y + p.px(12), p.px(22), p.theme.text2);
    BBox b = p.text(menu[i].label, c.margin + p.px(40), y + p.px(12), 16, p.theme.text, Weight::regular, "menu");
    BBox row{0, double(y), double(p.width()), double(p.px(48))};
    (void)b;
    p.tasks.push_back({{"question", menu[i].question}, {"answer", menu[i].label}, {"bbox", row.to_json()}});
    y += p.px(48);
    p.divider(y, c.margin + p.px(40));
  }
  p.button("Sign out", "To log out of your account, what should you tap?", c.margin, std::max(y + p.px(16), c.bottom - p.px(60)),
           p.width() - 2 * c.margin, p.px(44), false);
}

void tpl_social(Ctx& c) {
  Painter& p = c.p;
  int y = c.top + p.px(10);
  static const std::vector<std::string> posts = {"Great hike this morning, the view was worth it",
                                                 "New recipe turned out better than expected",
                                                 "Anyone up for a game night this week?",
                                                 "Finally finished the marathon!",
                                                 "Moving day is done. Time for pizza."};
  int n = c.rng.uniform(2, 3);
  for (int i = 0; i < n && y < c.bottom - p.px(200); ++i) {
    Person a = c.f.person();
    p.avatar(initials(a), c.margin + p.px(20), y + p.px(20), p.px(20), accent_colour(c.rng, p.theme.dark));
    p.text(a.full(), c.margin + p.px(50), y, 15, p.theme.text, Weight::bold, "pii", "name");
    p.text(c.f.username(a), c.margin + p.px(50), y + p.px(22), 13, p.theme.text2, Weight::regular, "pii", "username");
    y += p.px(50);
    std::vector<Segment> body = {{c.rng.pick(posts), ""}};
    if (i == 0 && c.rng.chance(0.5)) body.push_back({c.f.url_token(), "url_token"});
    y = p.line(body, c.margin, y, 15, p.theme.text, Weight::regular, "body", p.width() - 2 * c.margin);
    p.fill_rounded({c.margin, y + p.px(4), p.width() - 2 * c.margin, p.px(110)}, p.px(12), p.theme.field);
    y += p.px(122);
    if (i == 0) {
      int x = c.margin;
      for (const Action& act : std::vector<Action>{{"Like", "To like this post, what should you tap?"},
                                                   {"Comment", "To reply to this post, what should you tap?"},
                                                   {"Share", "To send this post to a friend, what should you tap?"}})
        x = static_cast<int>(p.chip(act.label, act.question, x, y).right()) + p.px(10);
      y += p.px(46);
    }
    p.divider(y);
    y += p.px(12);
  }
  p.tab_bar(tabs_with_tasks(c.rng,
                            {{"Home", ""}, {"Search", "To look for people or posts, what should you tap?"},
                             {"Reels", ""}, {"Profile", "To see your own profile, what should you tap?"}},
                            1),
            0, c.rng);
}

void tpl_delivery(Ctx& c) {
  Painter& p = c.p;
  Person courier = c.f.person(), me = c.f.person();
  int y = c.top + p.px(14);
  p.fill_rounded({c.margin, y, p.width() - 2 * c.margin, p.px(150)}, p.px(14), p.theme.field);
  p.text("Arriving today, 2-4 pm", c.margin + p.px(16), y + p.px(16), 18, p.theme.text, Weight::bold, "title");
  p.text("Out for delivery", c.margin + p.px(16), y + p.px(46), 14, p.theme.accent, Weight::medium, "body");
  y += p.px(166);
  y = field(c, y, "Tracking number", c.f.order_number(), "id_number");
  p.text("Courier", c.margin, y, 12, p.theme.text2, Weight::regular, "label");
  y = p.line({{courier.full(), "name"}, {"-", ""}, {c.f.phone(), "phone"}}, c.margin, y + p.px(19), 15, p.theme.text,
             Weight::regular, "value", p.width() - 2 * c.margin) + p.px(10);
  p.text("Deliver to", c.margin, y, 12, p.theme.text2, Weight::regular, "label");
  p.text(me.full(), c.margin, y + p.px(19), 15, p.theme.text, Weight::regular, "pii", "name");
  p.text(c.f.street_address(), c.margin, y + p.px(42), 15, p.theme.text, Weight::regular, "pii", "address",
         p.width() - 2 * c.margin);
  y += p.px(76);
  if (c.rng.chance(0.5)) {
    p.text("Live tracking link", c.margin, y, 12, p.theme.text2, Weight::regular, "label");
    p.text(c.f.url_token(), c.margin, y + p.px(19), 13, p.theme.text, Weight::regular, "pii", "url_token",
           p.width() - 2 * c.margin);
    y += p.px(50);
  }
  actions_row(c, std::max(y + p.px(8), c.bottom - p.px(60)),
              {{"Contact courier", "To call the driver, what should you tap?"},
               {"Change address", "To deliver somewhere else, what should you tap?"}},
              true);
}

struct Template {
  std::string name, title;
  bool back;
  bool tab_bar;
  std::function<void(Ctx&)> draw;
};

const std::vector<Template>& templates() {
  static const std::vector<Template> t = {
      {"contacts", "Contacts", false, true, tpl_contacts},
      {"chat", "", true, false, tpl_chat},
      {"email", "Inbox", false, true, tpl_email},
      {"profile", "Edit profile", true, false, tpl_profile},
      {"shop", "Order details", true, false, tpl_shop},
      {"booking", "Your trip", true, false, tpl_booking},
      {"bank", "Transfer money", true, true, tpl_bank},
      {"settings", "Account", true, false, tpl_settings},
      {"social", "Feed", false, true, tpl_social},
      {"delivery", "Track delivery", true, false, tpl_delivery},
  };
  return t;
}

cv::Size parse_size(const std::string& s) {
  int w = 0, h = 0;
  char x = 0;
  if (std::sscanf(s.c_str(), "%d%c%d", &w, &x, &h) != 3 || x != 'x' || w < 320 || h < 480 || w > 4096 || h > 8192)
    throw UsageError("--size must be WxH (320x480 to 4096x8192) or 'mixed', not '" + s + "'");
  return {w, h};
}

std::string label_phrase(const std::string& label) {
  static const std::map<std::string, std::string> names = {
      {"name", "name"}, {"email", "e-mail address"}, {"phone", "phone number"}, {"address", "address"},
      {"username", "username"}, {"ip", "IP address"}, {"card", "card number"}, {"iban", "IBAN"},
      {"date_of_birth", "date of birth"}, {"id_number", "ID or account number"}, {"url_token", "private link"},
      {"secret", "password, key or token"}};
  auto it = names.find(label);
  return it == names.end() ? label : it->second;
}

}  // namespace

const std::vector<std::string>& synth_templates() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& t : templates()) n.push_back(t.name);
    return n;
  }();
  return names;
}

SynthScreen render_synth_screen(const SynthOptions& o, int index) {
  Rng rng(Rng::derive(o.seed, static_cast<std::uint64_t>(index)));
  std::vector<const Template*> pool;
  for (const auto& t : templates())
    if (o.templates.empty() || std::find(o.templates.begin(), o.templates.end(), t.name) != o.templates.end())
      pool.push_back(&t);
  for (const auto& name : o.templates)
    if (std::find(synth_templates().begin(), synth_templates().end(), name) == synth_templates().end())
      throw UsageError("unknown template '" + name + "'");
  // Cycle through the templates so every one appears; the rest is random.
  const Template& tpl = *pool[static_cast<std::size_t>(index) % pool.size()];
  cv::Size size;
  if (o.size == "mixed") {
    static const std::vector<cv::Size> sizes = {{1080, 2400}, {720, 1600}, {1170, 2532}};
    size = rng.pick(sizes);
  } else {
    size = parse_size(o.size);
  }
  bool dark;
  if (o.theme == "light") dark = false;
  else if (o.theme == "dark") dark = true;
  else if (o.theme == "mixed") dark = rng.chance(0.35);
  else throw UsageError("--theme must be light, dark or mixed, not '" + o.theme + "'");
  const auto& family = rng.pick(synth::font_families(o.fonts));
  Painter p(size.width, size.height, make_theme(rng, dark), family);
  if (o.names != "shipped" && o.names != "heldout")
    throw UsageError("--names must be shipped or heldout, not '" + o.names + "'");
  Faker faker(rng, o.names == "heldout" ? WordLists::heldout_names() : WordLists::shipped());
  p.status_bar(std::to_string(rng.uniform(7, 23)) + ":" + std::to_string(rng.uniform(10, 59)), rng.uniform(12, 100));
  Person chat_partner = faker.person();
  int top = tpl.name == "chat" ? p.app_bar(chat_partner.full(), true, "name") : p.app_bar(tpl.title, tpl.back);
  int bottom = p.height() - p.px(tpl.tab_bar ? 96 : 24);
  Ctx ctx{p, faker, rng, top, bottom, p.px(16), chat_partner};
  tpl.draw(ctx);

  SynthScreen screen;
  char id[64];
  std::snprintf(id, sizeof id, "%s_%05d", tpl.name.c_str(), index);
  Json& r = screen.record;
  r["id"] = id;
  r["width"] = size.width;
  r["height"] = size.height;
  r["app"] = tpl.name;
  r["theme"] = dark ? "dark" : "light";
  r["font"] = family.name;
  r["words"] = p.words;
  r["pii"] = p.pii;
  r["tasks"] = p.tasks;
  // PrivScreen-style privacy question: every PII label on screen, with its values.
  Json answers = Json::object();
  std::vector<std::string> labels;
  for (const auto& span : p.pii) {
    std::string label = span["label"];
    if (!answers.contains(label)) {
      answers[label] = Json::array();
      labels.push_back(label);
    }
    answers[label].push_back(span["text"]);
  }
  std::string question = "What ";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) question += i + 1 == labels.size() ? " and " : ", ";
    question += label_phrase(labels[i]);
  }
  question += labels.size() == 1 ? " is shown on this screen?" : " are shown on this screen?";
  r["privacy_qa"] = Json::array({Json{{"question", question}, {"answers", answers}}});
  screen.image = p.image;
  return screen;
}

int run_synth(const SynthOptions& o, const RunContext& context, std::ostream& out) {
  if (o.out_dir.empty()) throw UsageError("an output folder is required (-o DIR)");
  if (o.count < 0) throw UsageError("-n must be >= 0");
  if (o.format != "records" && o.format != "privscreen")
    throw UsageError("--format must be records or privscreen, not '" + o.format + "'");
  render_synth_screen(o, o.first_index);  // validates the options (throws UsageError) before any output
  synth::font_families(o.fonts);
  const bool privscreen = o.format == "privscreen";
  // Each record starts as {"id": "screen N", "synth": {"index": N}}; a screen that
  // fails keeps that and gets its error.
  int next_index = 0;
  auto next = [&]() -> std::optional<Json> {
    if (next_index >= o.count) return std::nullopt;
    const int index = o.first_index + next_index++;
    return Json{{"id", "screen " + std::to_string(index)}, {"synth", {{"index", index}}}};
  };
  std::mutex done_mutex;
  std::vector<Json> done;  // for the PrivScreen question files
  auto process = [&](Json& record) {
    const int index = record["synth"]["index"].get<int>();
    SynthScreen s = render_synth_screen(o, index);
    std::string app = s.record["app"];
    std::string file = privscreen ? (fs::path(o.out_dir) / app / "images" / (s.record["id"].get<std::string>() + ".png")).string()
                                  : (fs::path(o.out_dir) / (s.record["id"].get<std::string>() + ".png")).string();
    if (static_cast<std::int64_t>(s.image.cols) * s.image.rows > context.max_pixels)
      throw Error(std::to_string(s.image.cols) + "x" + std::to_string(s.image.rows) + " is more than --max-pixels " +
                  std::to_string(context.max_pixels));
    check_output_path(file, {}, context.force);
    write_png_atomic(file, s.image);
    Json r;
    r["id"] = s.record["id"];
    r["image"] = file;
    for (auto& [k, v] : s.record.items())
      if (k != "id") r[k] = v;
    r["synth"] = {{"seed", o.seed}, {"index", index}};
    if (o.names != "shipped") r["synth"]["names"] = o.names;
    record = std::move(r);
    if (privscreen) {
      std::lock_guard<std::mutex> lock(done_mutex);
      done.push_back(record);
    }
  };
  BatchStats stats = run_batch(next, process, out, batch_options(context, "screens"));
  std::sort(done.begin(), done.end(), [](const Json& a, const Json& b) {
    return a["synth"]["index"].get<int>() < b["synth"]["index"].get<int>();
  });
  const auto& records = done;
  if (privscreen) {
    // PrivScreen's per-app question files, keyed by image file name.
    std::map<std::string, std::pair<Json, Json>> per_app;
    for (const auto& r : records) {
      std::string key = fs::path(r["image"].get<std::string>()).filename().string();
      auto& [privacy, normal] = per_app[r["app"].get<std::string>()];
      // PrivScreen has no field for secrets: they go under "other".
      Json qa = r["privacy_qa"];
      for (auto& item : qa) {
        Json& answers = item["answers"];
        if (!answers.contains("secret")) continue;
        // Taken out first: adding "other" may move the object's entries (ordered_json
        // keeps them in a vector), which would leave a loop over "secret" reading freed memory.
        Json secrets = std::move(answers["secret"]);
        answers.erase("secret");
        for (auto& v : secrets) answers["other"].push_back(std::move(v));
      }
      privacy[key] = qa;
      Json tasks = Json::array();
      for (const auto& t : r["tasks"]) tasks.push_back({{"question", t["question"]}, {"answers", {t["answer"]}}});
      normal[key] = tasks;
    }
    for (const auto& [app, files] : per_app) {
      write_text_atomic((fs::path(o.out_dir) / app / "privacy_qa.json").string(), files.first.dump(2) + "\n");
      write_text_atomic((fs::path(o.out_dir) / app / "normal_qa.json").string(), files.second.dump(2) + "\n");
    }
  }
  return stats.exit_code();
}

}  // namespace dtap
