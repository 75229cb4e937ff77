// Availability: when the learner can meet each week, in their own timezone,
// saved through UserService. Changing the timezone keeps the painted local
// times ("evenings where I live"); matching converts them to UTC per week.

import { useEffect } from "react";
import { useSession } from "../api/session";
import { AvailabilityEditor } from "../components/AvailabilityEditor";
import { SignInLink } from "../components/SignIn";
import { Loading } from "../components/Status";

/** The availability page. */
export default function AvailabilityPage() {
  const { loading, user } = useSession();
  useEffect(() => {
    document.title = "Availability · Lens";
  }, []);

  if (loading) return <Loading what="your account" />;
  if (!user)
    return (
      <p>
        <SignInLink>Sign in</SignInLink> to tell us when you can meet.
      </p>
    );
  return (
    <div className="availability">
      <h1>When can you meet?</h1>
      <p>
        Mark the times you could join a weekly discussion. We use them to put you in a group whose meeting time suits
        everyone. Mark “if needed” for times you could make but would rather not.
      </p>
      <AvailabilityEditor action="Save availability" />
    </div>
  );
}
