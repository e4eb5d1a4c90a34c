// The seat tables: opening and closing seats, putting leases on and off them, and the
// indexes kept beside the seats (by holder, by age, by the opener's user name).
#include <fmt/format.h>

#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {

std::uint32_t SeatEngine::State::OpenSeat(PoolId pool_id, const Identity& holder,
                                          std::optional<std::string> key, WallTime since,
                                          std::uint32_t weight) {
  PoolState& pool = pools[pool_id];
  // The lowest free number, so that status shows seats 1..n for a pool of n seats.
  std::uint32_t number = 0;
  if (!pool.free_numbers.empty()) {
    number = *pool.free_numbers.begin();
    pool.free_numbers.erase(pool.free_numbers.begin());
  } else {
    number = pool.next_number++;
  }
  Seat& seat = pool.seats.try_emplace(number).first->second;
  seat.holder = holder;
  seat.holder_key = std::move(key);
  seat.since = since;
  seat.serial = next_seat_serial++;
  seat.number = number;
  seat.weight = weight;
  pool.used += weight;
  pool.by_age.emplace(seat.serial, &seat);
  if (seat.holder_key) {
    pool.by_holder[*seat.holder_key].insert(number);
  }
  seats_by_user[holder.user].emplace(pool_id, number);
  if (pool.collection) {
    ++collection_seats_by_user[holder.user];
  }
  return number;
}

void SeatEngine::State::CloseSeat(PoolId pool_id, std::uint32_t number) {
  PoolState& pool = pools[pool_id];
  auto it = pool.seats.find(number);
  Seat& seat = it->second;
  pool.used -= seat.weight;
  pool.by_age.erase(seat.serial);
  if (seat.holder_key) {
    auto mine = pool.by_holder.find(*seat.holder_key);
    mine->second.erase(number);
    if (mine->second.empty()) {
      pool.by_holder.erase(mine);
    }
  }
  auto user = seats_by_user.find(seat.holder.user);
  user->second.erase({pool_id, number});
  if (user->second.empty()) {
    seats_by_user.erase(user);
  }
  if (pool.collection) {
    auto count = collection_seats_by_user.find(seat.holder.user);
    if (--count->second == 0) {
      collection_seats_by_user.erase(count);
    }
  }
  pool.seats.erase(it);
  if (number + 1 == pool.next_number) {
    --pool.next_number;
    while (!pool.free_numbers.empty() && *pool.free_numbers.rbegin() + 1 == pool.next_number) {
      pool.free_numbers.erase(std::prev(pool.free_numbers.end()));
      --pool.next_number;
    }
  } else {
    pool.free_numbers.insert(number);
  }
  MarkDirty(pool_id);
}

void SeatEngine::State::AttachLease(Lease& lease, PoolId pool_id, std::uint32_t number) {
  lease.view.pool = pool_id;
  lease.view.seat = number;
  if (number == 0) {
    pools[pool_id].cloud_leases.insert(lease.view.id);
    return;
  }
  Seat& seat = pools[pool_id].seats.at(number);
  ++seat.products[lease.view.feature];
  seat.leases.insert(lease.view.id);
}

bool SeatEngine::State::DetachLease(Lease& lease) {
  const PoolId pool_id = lease.view.pool;
  PoolState& pool = pools[pool_id];
  if (lease.view.seat == 0) {
    pool.cloud_leases.erase(lease.view.id);
    return false;
  }
  Seat& seat = pool.seats.at(lease.view.seat);
  seat.leases.erase(lease.view.id);
  auto product = seat.products.find(lease.view.feature);
  if (--product->second == 0) {
    seat.products.erase(product);
    if (pool.collection && !seat.leases.empty()) {
      freed_slots.emplace(pool_id, seat.holder.user);
    }
  }
  if (seat.leases.empty()) {
    CloseSeat(pool_id, lease.view.seat);
    return true;
  }
  return false;
}

void SeatEngine::State::RebuildSeatIndexes() {
  seats_by_user.clear();
  collection_seats_by_user.clear();
  for (PoolId id = 0; id < pools.size(); ++id) {
    PoolState& pool = pools[id];
    pool.by_age.clear();
    pool.by_holder.clear();
    pool.free_numbers.clear();
    pool.used = 0;
    pool.next_number = pool.seats.empty() ? 1 : pool.seats.rbegin()->first + 1;
    std::uint32_t expect = 1;
    for (auto& [number, seat] : pool.seats) {
      for (; expect < number; ++expect) {
        pool.free_numbers.insert(expect);
      }
      expect = number + 1;
      seat.number = number;
      pool.used += seat.weight;
      pool.by_age.emplace(seat.serial, &seat);
      if (seat.holder_key) {
        pool.by_holder[*seat.holder_key].insert(number);
      }
      seats_by_user[seat.holder.user].emplace(id, number);
      if (pool.collection) {
        ++collection_seats_by_user[seat.holder.user];
      }
    }
  }
}

}  // namespace floatlm::engine
