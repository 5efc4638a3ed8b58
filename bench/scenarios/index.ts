/** Every scenario, in run order. */
import type { Scenario } from '../lib/types.js';
import { tokenRequestsScenario } from './token-requests.js';

export const SCENARIOS: readonly Scenario[] = [tokenRequestsScenario];
