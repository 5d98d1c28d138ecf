#pragma once
// Assigns each unscheduled Decky to a Ready Node that matches its nodeSelector, spreading
// deckies evenly (fewest deckies first, then name).
#include <chrono>
#include <map>
#include <mutex>

#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

class SchedulerReconciler final : public controller::Reconciler {
 public:
  SchedulerReconciler(api::Client& client, controller::EventRecorder& events,
                      const api::Clock& clock = api::systemClock());

  std::string_view name() const override { return "scheduler"; }
  std::string_view kind() const override { return "Decky"; }
  // A Node change wakes every unscheduled decky.
  std::vector<controller::WatchSpec> watches() const override;
  // Only unscheduled deckies, and placed ones whose Scheduled condition needs repair.
  bool wakesOnOwnChange(const api::Object* old, const api::Object* now) const override;
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  controller::EventRecorder& events_;
  const api::Clock& clock_;
  std::mutex mutex_;  // one placement at a time, so two workers never pick on stale counts
  std::map<std::string, int> load_;  // deckies per node, guarded by mutex_
  std::chrono::steady_clock::time_point loadCountedAt_{};
};

}  // namespace decnet::reconcilers
