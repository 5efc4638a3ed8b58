/** Every scenario, in run order. */
import type { Scenario } from '../lib/types.js';
import { authPerConnectionScenario } from './auth-per-connection.js';
import { coldStartScenario } from './cold-start.js';
import { customAuthorityScenario } from './custom-authority.js';
import { fanoutScenario } from './fanout.js';
import { memoryScenario } from './memory.js';
import { outageScenario } from './outage.js';
import { throughputScenario } from './throughput.js';
import { tokenRequestsScenario } from './token-requests.js';

export const SCENARIOS: readonly Scenario[] = [
  customAuthorityScenario,
  tokenRequestsScenario,
  authPerConnectionScenario,
  throughputScenario,
  fanoutScenario,
  coldStartScenario,
  memoryScenario,
  outageScenario,
];
