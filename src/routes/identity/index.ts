import { createRouter } from "../../lib/router";
import { isNeonEmployee } from "./is-employee";
import { me } from "./me";

export const identityRoutes = createRouter();
identityRoutes.route("/", me);
identityRoutes.route("/", isNeonEmployee);
