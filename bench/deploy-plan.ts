import type { SlowSection } from './benchmark';
import { notMeasured, type Section } from './report';

/** 7. A deploy and a plan of an unchanged tenant: wall time and writing requests. */

const TITLE = '7. Deploy and plan of an unchanged tenant';

function skipped(why: string): Section {
  return {
    id: 'deploy-plan',
    title: TITLE,
    method: 'Not run.',
    figures: [
      notMeasured('deploy-plan.plan.writes', 'plan: writing requests', 'floor', '= 0', why),
      notMeasured('deploy-plan.plan.time', 'plan: wall time', 'deploy', 'none (timing)', why),
      notMeasured('deploy-plan.deploy.writes', 'deploy: writing requests', 'floor', 'none', why),
      notMeasured('deploy-plan.deploy.time', 'deploy: wall time', '—', 'none (timing)', why),
    ],
  };
}

export const deployPlanSection: SlowSection = {
  title: TITLE,
  run: async () => skipped('the deploy command with --plan (issue 4) has not landed'),
  skipped,
};
