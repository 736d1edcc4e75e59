// [strategy] kind = "basis" in the daemon (the default): the spot–perp pairs start-up checked, each a pair of the
// engine on the Backpack feed's books, traded by the basis strategy the engine builds from its parameters.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bparb/app/strategy_nodes.hpp"
#include "bparb/core/money.hpp"

namespace bparb::app {
namespace {

class BasisStrategyNode final : public StrategyNode {
 public:
  explicit BasisStrategyNode(StrategyContext& ctx)
      : cfg_(ctx.cfg), log_(ctx.log), bp_(ctx.backpack), startup_(ctx.startup) {}

  // The basis pairs start-up checked (empty until start-up loaded the markets).
  const std::vector<runtime::PairRef>& pairs() const noexcept override {
    static const std::vector<runtime::PairRef> kNone;
    return startup_ ? startup_->pairs() : kNone;
  }

  void start(exec::ArbEngine& engine, Portfolio& portfolio) override {
    for (const runtime::PairRef& p : pairs()) {
      bp_.feed->add_market(*p.spot, p.instruments[0]);
      bp_.feed->add_market(*p.perp, p.instruments[1]);
      // A spot buy's base-asset fee leaves up to one step of dust: closing tolerates it.
      const PairIndex idx = portfolio.add_pair(p.spot->step_size);
      if (idx != p.index) throw std::logic_error("pair index mismatch");
      engine.add_pair(p.base, p.instruments, {bp_.feed->book(p.spot->symbol), bp_.feed->book(p.perp->symbol)});
    }
  }

  void announce() override {
    std::string names;
    for (const runtime::PairRef& p : pairs()) names += (names.empty() ? "" : ", ") + p.base;
    log_->info(
        "Trading {} pair(s): {} | position {} USD, execute at net >= "
        "{}, confidence >= {}",
        pairs().size(), names, format_usd(cfg_.strategy.position_size_usd),
        runtime::pct(cfg_.strategy.min_execution_threshold), cfg_.strategy.confidence_threshold.str());
  }

 private:
  const Config& cfg_;
  std::shared_ptr<spdlog::logger> log_;
  backpack::BackpackVenue& bp_;
  const std::unique_ptr<runtime::Startup>& startup_;
};

}  // namespace

std::unique_ptr<StrategyNode> make_basis_strategy_node(StrategyContext& ctx) {
  return std::make_unique<BasisStrategyNode>(ctx);
}

}  // namespace bparb::app
