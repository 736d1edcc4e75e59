#pragma once
// LighterVenue's clients, shared by lighter_venue.cpp and lighter_reports.cpp (not part of the interface).
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/venue/lighter/adapter.hpp"
#include "bparb/venue/lighter/dead_man_switch.hpp"
#include "bparb/venue/lighter/rest_client.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "bparb/venue/lighter/tx_sender.hpp"
#include "bparb/venue/lighter/ws_session.hpp"

namespace bparb::runtime {

// Members are destroyed in reverse order: the switch and the adapter before the sender, the sender before the
// clients it sends through.
struct LighterVenue::Impl {
  Impl(boost::asio::io_context& io, const Clock& clock, lighter::Signer s, const LighterVenueOptions& o,
       std::vector<lighter::Signer> more);

  lighter::Signer signer;
  std::vector<lighter::Signer> more_keys;  // a pool's other keys (never resized: the sender holds references)
  lighter::LighterRest rest;
  lighter::LighterWs ws;
  std::unique_ptr<lighter::LighterTxSender> sender;
  std::unique_ptr<lighter::LighterAdapter> adapter;
  std::unique_ptr<lighter::LighterDeadManSwitch> dead_man;
  boost::asio::steady_timer stop_timer;
  std::function<void()> stop_done;
  TimestampUs stop_deadline_us = 0;
  bool stopping = false;
  bool dead_man_armed_logged = false;
};

}  // namespace bparb::runtime
