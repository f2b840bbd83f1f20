/** Every gospy command, in the order `gospy --help` lists them. */
import type { Command } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { captureCommand } from './capture.ts';
import { exportCommand } from './export.ts';
import { summaryCommand, topCommand } from './live.ts';

export const commands: readonly Command[] = [analyzeCommand, captureCommand, summaryCommand, topCommand, exportCommand];
