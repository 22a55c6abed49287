/** model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/config.go minimumSeats = 1. */
export const MINIMUM_SEATS = 1;
/** model: request/config.go objectsPerSeat = 100. */
export const OBJECTS_PER_SEAT = 100;

/**
 * Seats of a LIST (its width in APF).
 *
 * `objectsProcessed` is upstream's estimatedObjectsToBeProcessed: the stored object count for a
 * list served from the watch cache; stored count + limit for a selector list from etcd; 2 * limit
 * for a plain paginated list from etcd. `maxSeats` is the level's cap
 * (`PriorityAndFairness.maxSeats(level)`).
 * Contract: an integer in [1, maxSeats].
 * model: request/list_work_estimator.go `estimate`: ceil(objects / objectsPerSeat), clamped to
 * [minimumSeats, maxSeats]. Other verbs take minimumSeats (request/width.go); the mutating
 * estimator's final seats for watch fan-out (AdditionalLatency) are not modelled.
 */
export function listSeats(objectsProcessed: number, maxSeats: number): number {
  const seats = Math.ceil(objectsProcessed / OBJECTS_PER_SEAT);
  if (seats < MINIMUM_SEATS) return MINIMUM_SEATS;
  return seats > maxSeats ? maxSeats : seats;
}
