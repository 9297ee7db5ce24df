/**
 * The policy pack `pulumi preview --policy-pack policy` loads. Only this file constructs the
 * PolicyPack, because the constructor starts the analyzer's gRPC server; the policies live in
 * policies.ts, which the tests import.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("hopsworks-dr", { policies });
