/** The in-memory ports (use-case tests, bench) keep the storage contract. */
import { memoryPorts } from '../support/memory-ports.js';
import { portContract } from '../contract/ports.contract.js';

portContract('in memory', async () => memoryPorts());
